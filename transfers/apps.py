from django.apps import AppConfig


def _has_direct_bill_enrollment(request):
    from enrollment.models import DirectBillEnrollment

    return DirectBillEnrollment.objects.filter(partner_id=request.user.partner_id).exists()


def _panel(request):
    from .models import TransferRequest, TransferStatus

    partner_id = request.user.partner_id
    pending = TransferRequest.objects.filter(status=TransferStatus.PENDING)
    return {
        "waiting": pending.filter(source_id=partner_id).count(),
        "requested": pending.filter(target_id=partner_id).count(),
    }


class TransfersConfig(AppConfig):
    name = "transfers"

    def ready(self):
        from core import dashboard
        from core.navigation import NavItem, register
        from customers import history as customer_history
        from enrollment import closing

        from . import history, jobs, readiness, services, tasks  # noqa: F401  (bulk handlers, sweeper)

        register(
            NavItem(
                "Transfers",
                "transfer_list",
                30,
                personas=frozenset({"partner", "provider"}),
            )
        )
        register(
            NavItem(
                "Transition",
                "transition",
                40,
                personas=frozenset({"partner"}),
                visible=_has_direct_bill_enrollment,
            )
        )
        dashboard.register(
            dashboard.Panel(
                key="transfers.pending",
                template="transfers/_panel.html",
                personas=frozenset({"partner", "provider"}),
                order=30,
                context=_panel,
            )
        )
        # TX-1: direct-bill closes only when every customer is with a provider, has a valid
        # MCA for it, and no direct-bill subscription is left.
        closing.register(readiness.blocking_reasons)
        # TX-2: closing removes the sandbox and ends the trials, in the closing transaction.
        closing.on_close(services.remove_sandboxes)
        # IR-3: the customer page names the request that moved a subscription away.
        customer_history.register(history.describe_transfers)

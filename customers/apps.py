from django.apps import AppConfig


def _every_customer_indirect(*, actor, partner) -> None:
    from .indirect import relationships_become_indirect

    relationships_become_indirect(actor=actor, partner=partner, closing=True)


def _has_order_requests(request) -> bool:
    """Providers always; a reseller once it has an indirect customer to ask for (IR-2)."""
    from core.models import CustomerRelationship, RelationshipKind

    user = request.user
    if user.partner.is_indirect_provider:
        return True
    return (
        CustomerRelationship.objects.active()
        .filter(partner_id=user.partner_id, kind=RelationshipKind.INDIRECT_RESELLER)
        .exists()
    )


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        from core.navigation import NavItem, register
        from enrollment import closing

        # IR-1: once direct-bill closes, every customer of the partner is an indirect customer.
        closing.on_close(_every_customer_indirect)
        from . import tasks  # noqa: F401  (sweepers, NC-1/NC-3)

        register(
            NavItem("Customers", "customer_list", 10, personas=frozenset({"partner", "provider"}))
        )
        register(
            NavItem(
                "Order requests",
                "order_request_list",
                12,
                personas=frozenset({"partner", "provider"}),
                visible=_has_order_requests,
            )
        )
        register(
            NavItem("Customer agreement", "mca_admin_center", 15, personas=frozenset({"customer"}))
        )

"""Cancel, expire, and completing the transition (TR-7, TX-1, TX-2)."""

from django.db import transaction

from core import audit, clock
from core.fsm import check_transition
from customers.models import Subscription, SubscriptionStatus

from ..exceptions import (
    NotTransferTarget,
)
from ..models import (
    TRANSFER_TRANSITIONS,
    TransferRequest,
    TransferStatus,
)
from .common import check_pending, email_parties, lock, require_agent

# --- cancel (TR-7) ---------------------------------------------------------------------------


@audit.refusals("transfer.cancel")
def transfer_cancel(*, actor, transfer) -> TransferRequest:
    """Only the target cancels, only while the request is pending."""
    require_agent(actor, "cancel a transfer request")
    with transaction.atomic():
        transfer = lock(transfer, actor.partner)
        if transfer.target_id != actor.partner_id:
            raise NotTransferTarget()
        now = clock.now()
        check_pending(transfer, now)
        check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.CANCELLED)
        transfer.status = TransferStatus.CANCELLED
        transfer.cancelled_at = now
        transfer.cancelled_by = actor
        transfer.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        for partner in (transfer.target, transfer.source):
            audit.record(
                actor=actor,
                operation="transfer.cancel",
                partner=partner,
                customer=transfer.customer,
                obj=transfer,
                old_state=TransferStatus.PENDING,
                new_state=TransferStatus.CANCELLED,
            )
        email_parties(
            [transfer],
            lambda t: (
                f"Transfer request cancelled for {t.customer.company_name}",
                f"{t.target.legal_name} cancelled its request to transfer "
                f"{t.customer.company_name}'s subscriptions from {t.source.legal_name}.",
            ),
        )
    return transfer


# --- expire (TR-7, by the sweep) -------------------------------------------------------------


def transfer_expire(*, transfer_id, now=None) -> bool:
    """Expire one pending request whose 30 days have passed; False when there is nothing to
    do (already answered, or another worker holds it). Idempotent."""
    now = now or clock.now()
    with transaction.atomic():
        transfer = (
            TransferRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "source", "target")
            .filter(pk=transfer_id, status=TransferStatus.PENDING, expires_at__lte=now)
            .first()
        )
        if transfer is None:
            return False
        check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.EXPIRED)
        transfer.status = TransferStatus.EXPIRED
        transfer.expired_at = now
        transfer.save(update_fields=["status", "expired_at"])
        for partner in (transfer.target, transfer.source):
            audit.record(
                actor=None,
                operation="transfer.expire",
                partner=partner,
                customer=transfer.customer,
                obj=transfer,
                old_state=TransferStatus.PENDING,
                new_state=TransferStatus.EXPIRED,
                at=now,
            )
        email_parties(
            [transfer],
            lambda t: (
                f"Transfer request expired for {t.customer.company_name}",
                f"The request to transfer {t.customer.company_name}'s subscriptions from "
                f"{t.source.legal_name} to {t.target.legal_name} was not answered within 30 "
                "days and has expired. The target can create a new request.",
            ),
        )
    return True


def expire_due(now) -> int:
    ids = list(
        TransferRequest.objects.filter(status=TransferStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(transfer_expire(transfer_id=pk, now=now) for pk in ids)


# --- completing the transition (TX-1, TX-2) --------------------------------------------------


def remove_sandboxes(*, partner, actor=None) -> int:
    """TX-2: delete the live sandboxes of a partner whose direct-bill enrollment is Closed, and
    end its remaining trial subscriptions (trials can't transfer, TR-5, and nothing bills them
    once direct-bill is closed). A close hook (`enrollment.closing.on_close`), so it runs in
    the closing transaction whoever closes; idempotent, and the sweep calls it too."""
    from enrollment.models import DirectBillEnrollment, DirectBillStatus, Sandbox

    with transaction.atomic():
        if not DirectBillEnrollment.objects.filter(
            partner=partner, status=DirectBillStatus.CLOSED
        ).exists():
            return 0
        now = clock.now()
        sandboxes = list(
            Sandbox.objects.select_for_update(skip_locked=True).filter(
                partner=partner, deleted_at__isnull=True
            )
        )
        for sandbox in sandboxes:
            sandbox.deleted_at = now
            sandbox.save(update_fields=["deleted_at"])
            audit.record(
                actor=actor,
                operation="sandbox.delete",
                partner=partner,
                obj=sandbox,
                old_state="live",
                new_state="deleted",
                detail="Direct-bill enrollment closed (TX-2).",
            )
        trials = list(
            Subscription.objects.select_for_update(skip_locked=True).filter(
                billing_partner=partner,
                is_trial=True,
                status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED],
            )
        )
        for sub in trials:
            old = sub.status
            # active → expired; a suspended trial can only be deleted (the FSM table).
            sub.status = (
                SubscriptionStatus.EXPIRED
                if old == SubscriptionStatus.ACTIVE
                else SubscriptionStatus.DELETED
            )
            sub.ended_at = now
            sub.save(update_fields=["status", "ended_at"])
            audit.record(
                actor=actor,
                operation="subscription.trial_end",
                partner=partner,
                customer=sub.customer,
                obj=sub,
                old_state=old,
                new_state=sub.status,
                detail="Trial ended: the direct-bill enrollment closed (trials can't transfer).",
            )
    return len(sandboxes) + len(trials)

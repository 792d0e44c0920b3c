"""Cancel, expire, and completing the transition (TR-7, TX-1, TX-2)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from core import audit, clock
from core.fsm import apply_transition
from core.models import Partner, User
from core.sweep import each_due
from customers.models import (
    LIVE_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    Subscription,
    SubscriptionStatus,
)
from enrollment.models import DirectBillEnrollment, DirectBillStatus, Sandbox

from ..exceptions import (
    NotTransferTarget,
)
from ..models import (
    TRANSFER_TRANSITIONS,
    TransferRequest,
    TransferStatus,
)
from .common import check_pending, email_parties, event_for, lock, partner_of, require_agent

# --- cancel (TR-7) ---------------------------------------------------------------------------


@audit.refusals("transfer.cancel")
def transfer_cancel(*, actor: User, transfer: TransferRequest | int | str) -> TransferRequest:
    """Only the target cancels, only while the request is pending."""
    require_agent(actor, "cancel a transfer request")
    with transaction.atomic():
        transfer = lock(transfer, partner_of(actor))
        if transfer.target_id != partner_of(actor).pk:
            raise NotTransferTarget()
        now = clock.now()
        check_pending(transfer, now)
        event = apply_transition(
            transfer,
            TRANSFER_TRANSITIONS,
            TransferStatus.CANCELLED,
            actor=actor,
            operation="transfer.cancel",
            partner=transfer.target,
            customer=transfer.customer,
            cancelled_at=now,
            cancelled_by=actor,
        )
        audit.record_many([event_for(transfer.source, event)])
        email_parties([transfer], "cancelled")
    return transfer


# --- expire (TR-7, by the sweep) -------------------------------------------------------------


def transfer_expire(*, transfer_id: int, now: datetime | None = None) -> bool:
    """Expire one pending request whose 30 days have passed; False when there is nothing to
    do (already answered, or another worker holds it). Idempotent."""
    now = now or clock.now()
    return expire_due(now, _due_to_expire(now).filter(pk=transfer_id)) == 1


def expire_due(now: datetime, due: QuerySet[TransferRequest] | None = None) -> int:
    """The sweep: expire every pending request whose 30 days have passed (`due`: some of
    them), each in its own short transaction."""
    return each_due(
        _due_to_expire(now) if due is None else due, lambda transfer: _expire(transfer, now)
    )


def _due_to_expire(now: datetime) -> QuerySet[TransferRequest]:
    return TransferRequest.objects.filter(
        status=TransferStatus.PENDING, expires_at__lte=now
    ).select_related("customer", "source", "target")


def _expire(transfer: TransferRequest, now: datetime) -> None:
    """Expire `transfer` (pending, locked by the sweep) and tell its parties."""
    event = apply_transition(
        transfer,
        TRANSFER_TRANSITIONS,
        TransferStatus.EXPIRED,
        actor=None,
        operation="transfer.expire",
        partner=transfer.target,
        customer=transfer.customer,
        at=now,
        expired_at=now,
    )
    audit.record_many([event_for(transfer.source, event)])
    email_parties([transfer], "expired")


# --- completing the transition (TX-1, TX-2) --------------------------------------------------


def remove_sandboxes(*, partner: Partner, actor: User | None = None) -> int:
    """TX-2: delete the live sandboxes of a partner whose direct-bill enrollment is Closed, and
    end its remaining trial subscriptions (trials can't transfer, TR-5, and nothing bills them
    once direct-bill is closed). A close hook (`enrollment.closing.on_close`), so it runs in
    the closing transaction whoever closes; idempotent, and the sweep calls it too."""
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
            # active → expired; a suspended trial can only be deleted (the FSM table).
            apply_transition(
                sub,
                SUBSCRIPTION_TRANSITIONS,
                SubscriptionStatus.EXPIRED
                if sub.status == SubscriptionStatus.ACTIVE
                else SubscriptionStatus.DELETED,
                actor=actor,
                operation="subscription.trial_end",
                partner=partner,
                customer=sub.customer,
                detail="Trial ended: the direct-bill enrollment closed (trials can't transfer).",
                label="subscription status",
                ended_at=now,
            )
    return len(sandboxes) + len(trials)


def remove_sandboxes_due(now: datetime) -> int:
    """The sweep's TX-2 healing: a closed direct-bill partner has no sandbox and no trial left
    (a close interrupted before they were removed). Counts the partners healed."""
    due = Partner.objects.filter(
        Q(pk__in=Sandbox.objects.filter(deleted_at__isnull=True).values("partner_id"))
        | Q(
            pk__in=Subscription.objects.filter(is_trial=True, status__in=LIVE_STATUSES).values(
                "billing_partner_id"
            )
        ),
        direct_bill_enrollment__status=DirectBillStatus.CLOSED,
    )
    return each_due(due, lambda partner: remove_sandboxes(partner=partner) > 0)

"""Managing a partner's subscriptions (CU-5, NC-1..NC-4; allowed while Restricted, DB-2): seats
now and at renewal, suspend, reactivate, cancel (add-ons follow their base), auto-renew, and
the API's PATCH that applies several of them in one transaction. Only the partner that bills a
subscription manages it; each change is audited and told to the billing partner (NC-4)."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition, apply_transition_many
from core.models import User
from core.roles import require_role

from ..exceptions import (
    CancellationWindowClosed,
    SeatReductionWindowClosed,
    SubscriptionNotActive,
)
from ..indirect import relationships_become_indirect
from ..models import SUBSCRIPTION_TRANSITIONS, ProductType, Subscription, SubscriptionStatus
from .common import (
    MANAGE_ROLES,
    end_stamp,
    locked_own_subscription,
    quantity_of,
    tell_billing_partner,
    utc,
    window_closed_at,
)


@audit.refusals("subscription.change_quantity")
def subscription_change_quantity(
    *, actor: User, subscription: Subscription, quantity: int | str
) -> Subscription:
    """Change the seat count of an active subscription. Seats go up at any time; they go down
    only within the NC-2 window after purchase or renewal (Partner Center: "Change the quantity
    of a subscription", https://learn.microsoft.com/partner-center/developer/change-the-quantity-of-a-subscription).
    """
    require_role(actor, *MANAGE_ROLES)
    quantity = quantity_of(quantity)
    at = clock.now()
    with transaction.atomic():
        sub = locked_own_subscription(actor, subscription)
        if sub.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionNotActive("Only an active subscription's seat count can change.")
        closed = window_closed_at(sub, at) if quantity < sub.quantity else None
        if closed is not None:
            renews = f" on {sub.commitment_end_date:%d %b %Y}" if sub.commitment_end_date else ""
            raise SeatReductionWindowClosed(
                f"Seats of {sub.offer_name} can only be reduced within 7 days of purchase or "
                f"renewal; that window closed on {utc(closed)}. Until the term ends{renews} "
                "seats can only go up; you can schedule fewer seats for the renewal."
            )
        old = sub.quantity
        sub.quantity = quantity
        # Partner Center: an immediate mid-term change deletes the changes scheduled for renewal.
        sub.renewal_quantity = None
        sub.save(update_fields=["quantity", "renewal_quantity"])
        audit.record(
            actor=actor,
            operation="subscription.change_quantity",
            customer=sub.customer,
            obj=sub,
            old_state=str(old),
            new_state=str(quantity),
            detail=f"{sub.offer_name}: seats {old} → {quantity}",
            at=at,
        )
        tell_billing_partner(sub, "subscription_seats", old=old, new=quantity)
    return sub


@audit.refusals("subscription.schedule_quantity")
def subscription_schedule_quantity(
    *, actor: User, subscription: Subscription, quantity: int | str | None
) -> Subscription:
    """NC-2: the seat count an active new commerce licence-based subscription renews with — how
    seats go down once the window has closed; None cancels the scheduled change. The renewal
    (NC-1) applies it. Partner Center's scheduled changes:
    https://learn.microsoft.com/partner-center/developer/create-scheduled-changes"""
    require_role(actor, *MANAGE_ROLES)
    seats = None if quantity in (None, "") else quantity_of(quantity)
    at = clock.now()
    with transaction.atomic():
        sub = locked_own_subscription(actor, subscription)
        if sub.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionNotActive("Only an active subscription's renewal can be scheduled.")
        if sub.product_type != ProductType.LICENSE or sub.is_trial:
            raise InvalidInput("Only a new commerce licence-based subscription renews with seats.")
        if seats is not None and not sub.auto_renew:
            raise InvalidInput(
                f"{sub.offer_name} does not renew (auto-renew is off); turn auto-renew on to "
                "schedule its seats for the renewal."
            )
        old = sub.renewal_quantity
        sub.renewal_quantity = None if seats == sub.quantity else seats
        sub.save(update_fields=["renewal_quantity"])
        audit.record(
            actor=actor,
            operation="subscription.schedule_quantity",
            customer=sub.customer,
            obj=sub,
            old_state=str(old or ""),
            new_state=str(sub.renewal_quantity or ""),
            detail=f"{sub.offer_name}: seats at renewal {sub.renewal_quantity or 'unchanged'}",
            at=at,
        )
        tell_billing_partner(
            sub, "subscription_renewal_seats", seats=sub.renewal_quantity or sub.quantity
        )
    return sub


# Add-ons follow their base: suspended and reactivated with it, cancelled with it.
_ADD_ONS_FOLLOW: dict[str, tuple[str, ...]] = {
    SubscriptionStatus.SUSPENDED: (SubscriptionStatus.ACTIVE,),
    SubscriptionStatus.ACTIVE: (SubscriptionStatus.SUSPENDED,),
    SubscriptionStatus.DELETED: (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED),
}


_NEW_STATE: dict[str, str] = {
    SubscriptionStatus.SUSPENDED: "suspended",
    SubscriptionStatus.ACTIVE: "active again",
    SubscriptionStatus.DELETED: "cancelled",
}


def _change_status(
    actor: User,
    subscription: Subscription,
    new: str,
    operation: str,
    *,
    check: Callable[[Subscription, datetime], None] | None = None,
) -> Subscription:
    """Move the actor's subscription (and its add-ons) to `new`; `check(sub, at)` raises the
    rule's refusal first. Audited and told to the billing partner (NC-4)."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub = locked_own_subscription(actor, subscription)
        if check is not None:
            check(sub, at)
        apply_transition(
            sub,
            SUBSCRIPTION_TRANSITIONS,
            new,
            actor=actor,
            operation=operation,
            customer=sub.customer,
            detail=sub.offer_name,
            label="subscription status",
            at=at,
            **end_stamp(new, at),
        )
        apply_transition_many(
            Subscription.objects.select_for_update().filter(
                parent=sub, status__in=_ADD_ONS_FOLLOW.get(new, ())
            ),
            SUBSCRIPTION_TRANSITIONS,
            new,
            actor=actor,
            operation=operation,
            customer_of=lambda add_on: sub.customer,
            detail=lambda add_on: f"{add_on.offer_name} (add-on of {sub.offer_name})",
            label="subscription status",
            at=at,
            **end_stamp(new, at),
        )
        if new == SubscriptionStatus.DELETED:  # IR-1: maybe the last one it billed
            relationships_become_indirect(
                actor=actor, partner=sub.billing_partner, customer_ids=[sub.customer_id]
            )
        tell_billing_partner(sub, "subscription_status", state=_NEW_STATE[new])
    return sub


# Suspend and reactivate: https://learn.microsoft.com/partner-center/developer/suspend-a-subscription
@audit.refusals("subscription.suspend")
def subscription_suspend(*, actor: User, subscription: Subscription) -> Subscription:
    return _change_status(actor, subscription, SubscriptionStatus.SUSPENDED, "subscription.suspend")


@audit.refusals("subscription.reactivate")
def subscription_reactivate(*, actor: User, subscription: Subscription) -> Subscription:
    return _change_status(actor, subscription, SubscriptionStatus.ACTIVE, "subscription.reactivate")


def _check_cancellation_window(sub: Subscription, at: datetime) -> None:
    closed = window_closed_at(sub, at)
    if closed is not None:
        ends = f" on {sub.commitment_end_date:%d %b %Y}" if sub.commitment_end_date else ""
        raise CancellationWindowClosed(
            f"{sub.offer_name} can no longer be cancelled: the cancellation window (7 days after "
            f"purchase or renewal) closed on {utc(closed)}. Turn auto-renew off to let it end "
            f"at its term end{ends}."
        )


@audit.refusals("subscription.cancel")
def subscription_cancel(*, actor: User, subscription: Subscription) -> Subscription:
    """Cancel an active or suspended subscription (→ deleted, final), its add-ons with it; a
    new commerce licence-based one only within the NC-2 window. Partner Center cancels with
    status `deleted`: https://learn.microsoft.com/partner-center/developer/cancel-an-azure-marketplace-subscription
    """
    return _change_status(
        actor,
        subscription,
        SubscriptionStatus.DELETED,
        "subscription.cancel",
        check=_check_cancellation_window,
    )


@audit.refusals("subscription.auto_renew")
def subscription_auto_renew(
    *, actor: User, subscription: Subscription, enabled: bool
) -> Subscription:
    """Turn renewal at term end on or off (NC-1); on a trial it chooses conversion to paid at
    the trial's end (NC-3)."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub = locked_own_subscription(actor, subscription)
        if sub.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionNotActive("Auto-renew can only change on an active subscription.")
        old = sub.auto_renew
        sub.auto_renew = bool(enabled)
        sub.save(update_fields=["auto_renew"])
        audit.record(
            actor=actor,
            operation="subscription.auto_renew",
            customer=sub.customer,
            obj=sub,
            old_state="on" if old else "off",
            new_state="on" if enabled else "off",
            detail=sub.offer_name,
            at=at,
        )
        tell_billing_partner(sub, "subscription_auto_renew")
    return sub


UPDATABLE_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.SUSPENDED,
    SubscriptionStatus.DELETED,
)


@audit.refusals("subscription.update")
def subscription_update(
    *,
    actor: User,
    subscription: Subscription,
    quantity: int | None = None,
    auto_renew: bool | None = None,
    status: str | None = None,
    renewal_quantity: int | None = None,
) -> Subscription:
    """Partner Center's "Update a subscription by ID" (PATCH, NC-4): apply the properties that
    differ from the subscription's, in one transaction, through the services the page uses:
    reactivation first, then seats, auto-renew and the seats scheduled for renewal, then
    suspension or cancellation. Clients
    send the whole resource back, so an unchanged property is no change; a refusal of any part
    changes nothing. https://learn.microsoft.com/partner-center/developer/update-a-subscription-by-id
    """
    require_role(actor, *MANAGE_ROLES)
    if status is not None and status not in UPDATABLE_STATUSES:
        raise InvalidInput("The status can only be set to active, suspended or deleted.")
    with transaction.atomic():
        sub = locked_own_subscription(actor, subscription)
        if status == SubscriptionStatus.ACTIVE and sub.status == SubscriptionStatus.SUSPENDED:
            sub = subscription_reactivate(actor=actor, subscription=sub)
        if quantity is not None and quantity != sub.quantity:
            sub = subscription_change_quantity(actor=actor, subscription=sub, quantity=quantity)
        if auto_renew is not None and auto_renew != sub.auto_renew:
            sub = subscription_auto_renew(actor=actor, subscription=sub, enabled=auto_renew)
        if renewal_quantity is not None and renewal_quantity != sub.renewal_quantity:
            sub = subscription_schedule_quantity(
                actor=actor, subscription=sub, quantity=renewal_quantity
            )
        if status == SubscriptionStatus.SUSPENDED and sub.status != status:
            sub = subscription_suspend(actor=actor, subscription=sub)
        elif status == SubscriptionStatus.DELETED:
            sub = subscription_cancel(actor=actor, subscription=sub)
        sub.refresh_from_db()
    return sub

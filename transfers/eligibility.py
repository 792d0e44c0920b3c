"""Which of a customer's subscriptions can move on a transfer request, and why not (TR-5,
TR-6, TR-11): rules over subscriptions already loaded, shared by the selectors (the pages, the
API) and the submit service (checked again under the lock)."""

from collections.abc import Iterable
from typing import TypedDict

from customers.models import LEGACY_TYPES, LIVE_STATUSES, Subscription, SubscriptionStatus

from .models import TRANSFERABLE_TYPES, TransferRequest

ENDED = (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED)
RECEIVE = "receive transferred subscriptions"


class EligibilityRow(TypedDict):
    """One live subscription billed by the source: whether it can be selected and why not."""

    subscription: Subscription
    eligible: bool
    reason: str
    add_ons: list[Subscription]  # those moving with it, active or suspended (TR-11)
    orphan: bool


def ineligibility_reason(
    sub: Subscription, transfer: TransferRequest, *, moves_with_base: bool = False
) -> str:
    """Why `sub` can't move on `transfer` ("" when it can). Only an active subscription can be
    selected (TR-6), but an add-on moving with its base (`moves_with_base`) goes whatever its
    status, active or suspended (TR-11). Whether an add-on may be selected on its own is
    `selection_reason`'s question."""
    if sub.billing_partner_id != transfer.source_id:
        return "Not billed by the source partner."
    if sub.product_type in LEGACY_TYPES:
        return "Legacy subscription: migrate it to new commerce first, then transfer it."
    if sub.is_trial:
        return "Trial subscriptions can't be transferred."
    if sub.status != SubscriptionStatus.ACTIVE and not (
        moves_with_base and sub.status in LIVE_STATUSES
    ):
        state = sub.get_status_display().lower()
        return f"Only active subscriptions can be transferred (this one is {state})."
    if sub.product_type not in TRANSFERABLE_TYPES:
        return "This product type can't be transferred."
    if transfer.target_product_types and sub.product_type not in transfer.target_product_types:
        return "Not one of the product types this request asks for."
    return ""


class Bases:
    """Where each add-on's base is now, among one customer's subscriptions (TR-11): the base
    itself, or the subscription it was transferred to, hop by hop."""

    def __init__(self, subs: Iterable[Subscription]):
        subs = list(subs)
        self.by_id: dict[object, Subscription] = {s.pk: s for s in subs}
        self.successor = {s.transferred_from_id: s for s in subs if s.transferred_from_id}
        self.add_ons: dict[object, list[Subscription]] = {}
        for sub in subs:
            base = self.by_id.get(sub.parent_id)
            if (
                base is not None
                and sub.status in LIVE_STATUSES
                and sub.billing_partner_id == base.billing_partner_id
            ):
                self.add_ons.setdefault(base.pk, []).append(sub)

    def moving_with(self, base: Subscription) -> list[Subscription]:
        """TR-11: the add-ons that move with `base`: every live one (active or suspended) billed
        by the base's partner; deleted and expired ones stay."""
        return self.add_ons.get(base.pk, [])

    def now(self, add_on: Subscription) -> Subscription | None:
        """The live subscription carrying on `add_on`'s base, or None when it ended."""
        base = self.by_id.get(add_on.parent_id)
        while base is not None and base.status in ENDED:
            base = self.successor.get(base.pk)
        return base

    def is_orphan(self, add_on: Subscription) -> bool:
        """TR-11: a live add-on whose billing partner no longer bills its base (data an older
        version left behind): it can be transferred on its own to the partner that bills the
        base now, or ended."""
        if not add_on.parent_id or add_on.status in ENDED:
            return False
        base = self.now(add_on)
        return base is None or base.billing_partner_id != add_on.billing_partner_id


def selection_reason(sub: Subscription, transfer: TransferRequest, bases: Bases) -> str:
    """Why `sub` can't be selected on its own ("" when it can): an add-on moves with its base
    (TR-6, TR-11), unless it is an orphan, which may join its base's new billing partner."""
    if not sub.parent_id:
        return ineligibility_reason(sub, transfer)
    if not bases.is_orphan(sub):
        return "Add-on: it moves with its base subscription; select the base."
    base = bases.now(sub)
    if base is None:
        return "Orphaned add-on: its base subscription has ended. End this add-on instead."
    if base.billing_partner_id != transfer.target_id:
        return (
            f"Orphaned add-on: its base subscription is billed by another partner, not "
            f"{transfer.target.legal_name}. Transfer it to that partner, or end it."
        )
    return ineligibility_reason(sub, transfer, moves_with_base=True)


def eligibility_of(transfer: TransferRequest, subs: Iterable[Subscription]) -> list[EligibilityRow]:
    """`selectors.eligibility` over the customer's subscriptions already loaded (all of them,
    ended ones included, so an orphan's base can be followed), in their order."""
    subs = [s for s in subs if s.customer_id == transfer.customer_id]
    bases = Bases(subs)
    live = [
        s for s in subs if s.billing_partner_id == transfer.source_id and s.status in LIVE_STATUSES
    ]
    rows: list[EligibilityRow] = []
    for sub in live:
        reason = selection_reason(sub, transfer, bases)
        moving = bases.moving_with(sub)
        if not reason:
            for add_on in moving:
                add_on_reason = ineligibility_reason(add_on, transfer, moves_with_base=True)
                if add_on_reason:
                    reason = f"Its add-on {add_on.offer_name} can't move: {add_on_reason}"
                    break
        rows.append(
            {
                "subscription": sub,
                "eligible": not reason,
                "reason": reason,
                "add_ons": moving,
                "orphan": bases.is_orphan(sub),
            }
        )
    return rows

"""Helpers shared by the transfer services: roles, lookups, eligibility (TR-5, TR-6, TR-11)."""

import uuid

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from core import clock, notifications
from core.exceptions import InvalidInput
from core.models import (
    Partner,
    Role,
)
from core.roles import require_role
from core.validators import parse_id
from customers.models import LEGACY_TYPES, LIVE_STATUSES, Subscription, SubscriptionStatus
from enrollment.capabilities import not_transacting, not_transacting_reasons

from ..exceptions import (
    SandboxTransfer,
    TransferNotFound,
    TransferNotPending,
)
from ..models import (
    TRANSFERABLE_TYPES,
    TransferRequest,
    TransferStatus,
)

TRANSFER_ROLES = (Role.ADMIN_AGENT,)  # TR-4: the Admin agent of each side
ENDED = (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED)


def rule(name):
    return settings.PROGRAM_RULES[name]


def max_line_items() -> int:
    return rule("TRANSFER_MAX_LINE_ITEMS")


def require_agent(actor, action):
    require_role(actor, *TRANSFER_ROLES)


def detail_url(transfer) -> str:
    return reverse("transfer_detail", args=[transfer.pk])


def check_not_sandbox(*partners):
    """TR-8: neither side may be an integration sandbox account."""
    for partner in partners:
        if partner.is_sandbox:
            raise SandboxTransfer(  # names neither side: one may be another partner
                "This transfer involves a sandbox (integration test) account: transfers are "
                "not available for sandbox accounts."
            )


def resolve_partner(value):
    if value in (None, ""):
        return None
    if isinstance(value, Partner):
        return value
    return Partner.objects.filter(partner_id=str(value).strip()).first()


def email_parties(transfers, message, *, summary=None, skip_source=False):
    """Email each request's customer (`message(transfer) -> (subject, body)`), and its source
    and target: the request's own message with a link when there is one request, else the
    `summary` (subject, body) once per partner for the whole set."""
    now, emails = clock.now(), []
    if len(transfers) == 1 or summary is None:
        for transfer in transfers:
            subject, body = message(transfer)
            link = notifications.email_link(detail_url(transfer))
            emails += _partner_emails(
                transfer, subject, f"{body}\n\nOpen it in the portal: {link}", skip_source, now
            )
    elif transfers:
        subject, body = summary
        link = notifications.email_link(reverse("transfer_list"))
        emails += _partner_emails(
            transfers[0], subject, f"{body}\n\nOpen them in the portal: {link}", skip_source, now
        )
    for transfer in transfers:
        subject, body = message(transfer)
        emails.append(
            notifications.build_email(
                to=[transfer.customer_email], subject=subject, body=body, at=now
            )
        )
    notifications.queue_emails(emails)


def _partner_emails(transfer, subject, body, skip_source, now):
    partners = [transfer.target] if skip_source else [transfer.source, transfer.target]
    emails = []
    for partner in partners:
        users = notifications.partner_users(partner, Role.GLOBAL_ADMIN, *TRANSFER_ROLES)
        to = [u.email for u in users] or [partner.primary_contact_email]
        emails.append(
            notifications.build_email(to=to, subject=subject, body=body, partner=partner, at=now)
        )
    return emails


# --- lookups ---------------------------------------------------------------------------------


def transfer_for(partner, transfer_id, *, lock=False) -> TransferRequest:
    """The request if `partner` is its source or target; otherwise TransferNotFound (AC-2)."""
    transfer_id = parse_id(transfer_id)
    if transfer_id is None:
        raise TransferNotFound()
    qs = TransferRequest.objects.filter(Q(source=partner) | Q(target=partner), pk=transfer_id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    transfer = qs.select_related("customer", "source", "target", "partner_of_record").first()
    if transfer is None:
        raise TransferNotFound()
    return transfer


def lock(transfer_or_id, partner) -> TransferRequest:
    pk = getattr(transfer_or_id, "pk", transfer_or_id)
    return transfer_for(partner, pk, lock=True)


def check_pending(transfer, now):
    if transfer.status != TransferStatus.PENDING:
        raise TransferNotPending(
            f"This transfer request is {transfer.get_status_display().lower()}: it can't be "
            "changed any more."
            + (
                " Ask the target partner for a new request."
                if transfer.status == TransferStatus.EXPIRED
                else ""
            )
        )
    if transfer.expires_at <= now:
        raise TransferNotPending(
            "This transfer request has expired (30 days without an answer). Ask the target "
            "partner for a new request."
        )


# --- eligibility (TR-5, TR-6, TR-11) ---------------------------------------------------------


def ineligibility_reason(sub, transfer, *, moves_with_base=False) -> str:
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

    def __init__(self, subs):
        self.by_id = {s.pk: s for s in subs}
        self.successor = {s.transferred_from_id: s for s in subs if s.transferred_from_id}
        self.add_ons: dict = {}
        for sub in subs:
            base = self.by_id.get(sub.parent_id)
            if (
                base is not None
                and sub.status in LIVE_STATUSES
                and sub.billing_partner_id == base.billing_partner_id
            ):
                self.add_ons.setdefault(base.pk, []).append(sub)

    def moving_with(self, base) -> list[Subscription]:
        """TR-11: the add-ons that move with `base`: every live one (active or suspended) billed
        by the base's partner; deleted and expired ones stay."""
        return self.add_ons.get(base.pk, [])

    def now(self, add_on) -> Subscription | None:
        """The live subscription carrying on `add_on`'s base, or None when it ended."""
        base = self.by_id.get(add_on.parent_id)
        while base is not None and base.status in ENDED:
            base = self.successor.get(base.pk)
        return base

    def is_orphan(self, add_on) -> bool:
        """TR-11: a live add-on whose billing partner no longer bills its base (data an older
        version left behind): it can be transferred on its own to the partner that bills the
        base now, or ended."""
        if not add_on.parent_id or add_on.status in ENDED:
            return False
        base = self.now(add_on)
        return base is None or base.billing_partner_id != add_on.billing_partner_id


def selection_reason(sub, transfer, bases: Bases) -> str:
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


def eligibility(transfer) -> list[dict]:
    """The customer's live subscriptions billed by the source, each with whether it can be
    selected and why not; a base subscription lists the add-ons that move with it (TR-11)."""
    subs = Subscription.objects.filter(customer=transfer.customer_id).order_by(
        "parent_id", "offer_name", "id"
    )
    return eligibility_of(transfer, subs)


def eligibility_of(transfer, subs) -> list[dict]:
    """`eligibility` over the customer's subscriptions already loaded (all of them, ended ones
    included, so an orphan's base can be followed), in their order. A row: `subscription`,
    `eligible`, `reason`, `add_ons` (those moving with it, active or suspended) and `orphan`."""
    subs = [s for s in subs if s.customer_id == transfer.customer_id]
    bases = Bases(subs)
    live = [
        s for s in subs if s.billing_partner_id == transfer.source_id and s.status in LIVE_STATUSES
    ]
    rows = []
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


def customer_eligibility(partner, customer, transfer=None) -> list[dict]:
    """`eligibility` rows of `customer`'s subscriptions billed by `partner`: against `transfer`
    when given (the caller must be its source), otherwise against an open request of any target
    and product type, so only the subscription's own state counts (TR-5, TR-6, TR-11)."""
    if transfer is None:
        transfer = TransferRequest(
            customer=customer, source=partner, target=partner, target_product_types=[]
        )
    elif transfer.source_id != partner.pk or transfer.customer_id != customer.pk:
        raise TransferNotFound()
    return eligibility(transfer)


RECEIVE = "receive transferred subscriptions"


def target_refusal(transfer) -> str:
    """TR-10, for the page before submission: why the request's target can't receive
    subscriptions any more ("" when it can), e.g. it closed its direct-bill enrollment since."""
    why = not_transacting_reasons([transfer.target]).get(transfer.target_id)
    return str(not_transacting(transfer.target, RECEIVE, why)) if why else ""


def eligible_base_ids(transfer, subs=None) -> list:
    """The ids a "submit everything eligible" selects (from `subs` when already loaded): the
    eligible base subscriptions, and orphaned add-ons that can rejoin their base (TR-11)."""
    rows = eligibility(transfer) if subs is None else eligibility_of(transfer, subs)
    return [row["subscription"].pk for row in rows if row["eligible"]]


# --- submit (TR-1, TR-4, TR-5, TR-6, TR-7, MCA-4) --------------------------------------------


def parse_ids(ids) -> set:
    parsed = set()
    for value in ids or []:
        try:
            parsed.add(uuid.UUID(str(value)))
        except (TypeError, ValueError):
            raise InvalidInput(f"{value!r} is not a subscription id.") from None
    return parsed

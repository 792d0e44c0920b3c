"""Helpers shared by the transfer services: roles, lookups, eligibility (TR-5, TR-6)."""

import uuid

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from customers.models import LEGACY_TYPES, Subscription, SubscriptionStatus
from partnerportal import clock, notifications
from partnerportal.exceptions import InvalidInput
from partnerportal.models import (
    Partner,
    Role,
)
from partnerportal.roles import require_role

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
            raise SandboxTransfer(
                f"{partner.legal_name} is a sandbox (integration test) account: transfers are "
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
            link = notifications.absolute_url(detail_url(transfer))
            emails += _partner_emails(
                transfer, subject, f"{body}\n\nOpen it in the portal: {link}", skip_source, now
            )
    elif transfers:
        subject, body = summary
        link = notifications.absolute_url(reverse("transfer_list"))
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
    try:
        transfer_id = int(transfer_id)
    except (TypeError, ValueError):
        raise TransferNotFound() from None
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


# --- eligibility (TR-5, TR-6) ----------------------------------------------------------------


def ineligibility_reason(sub, transfer, *, as_add_on_of_selected=False) -> str:
    """Why `sub` can't be selected on `transfer` ("" when it can)."""
    if sub.billing_partner_id != transfer.source_id:
        return "Not billed by the source partner."
    if sub.product_type in LEGACY_TYPES:
        return "Legacy subscription: migrate it to new commerce first, then transfer it."
    if sub.is_trial:
        return "Trial subscriptions can't be transferred."
    if sub.status != SubscriptionStatus.ACTIVE:
        state = sub.get_status_display().lower()
        return f"Only active subscriptions can be transferred (this one is {state})."
    if sub.product_type not in TRANSFERABLE_TYPES:
        return "This product type can't be transferred."
    if transfer.target_product_types and sub.product_type not in transfer.target_product_types:
        return "Not one of the product types this request asks for."
    if sub.parent_id and not as_add_on_of_selected:
        return "Add-on: it moves with its base subscription."
    return ""


def eligibility(transfer) -> list[dict]:
    """The customer's subscriptions billed by the source, each with whether it can be selected
    and why not; a base subscription lists the add-ons that move with it."""
    subs = (
        Subscription.objects.filter(
            customer=transfer.customer_id, billing_partner=transfer.source_id
        )
        .exclude(status__in=ENDED)
        .order_by("parent_id", "offer_name", "id")
    )
    return eligibility_of(transfer, subs)


def eligibility_of(transfer, subs) -> list[dict]:
    """`eligibility` over subscriptions already loaded, in their order (those of another
    customer, not billed by the source, or ended are left out)."""
    subs = [
        s
        for s in subs
        if s.customer_id == transfer.customer_id
        and s.billing_partner_id == transfer.source_id
        and s.status not in ENDED
    ]
    add_ons: dict = {}
    for sub in subs:
        if sub.parent_id:
            add_ons.setdefault(sub.parent_id, []).append(sub)
    rows = []
    for sub in subs:
        reason = ineligibility_reason(sub, transfer)
        moving = [a for a in add_ons.get(sub.pk, []) if a.status == SubscriptionStatus.ACTIVE]
        if not reason:
            for add_on in moving:
                add_on_reason = ineligibility_reason(add_on, transfer, as_add_on_of_selected=True)
                if add_on_reason:
                    reason = f"Its add-on {add_on.offer_name} can't move: {add_on_reason}"
                    break
        rows.append(
            {"subscription": sub, "eligible": not reason, "reason": reason, "add_ons": moving}
        )
    return rows


def eligible_base_ids(transfer, subs=None) -> list:
    """The ids a "submit everything eligible" selects (from `subs` when already loaded)."""
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

"""Helpers shared by the transfer services: roles, the locked lookup, checks, emails."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import InvalidInput, RoleRequired
from core.models import AuditEvent, OutboundEmail, Partner, Role, User
from core.roles import require_role

from .. import selectors
from ..exceptions import (
    SandboxTransfer,
    TransferNotPending,
)
from ..models import (
    TransferRequest,
    TransferStatus,
)

TRANSFER_ROLES = (Role.ADMIN_AGENT,)  # TR-4: the Admin agent of each side


def rule(name: str) -> Any:
    return settings.PROGRAM_RULES[name]


def max_line_items() -> int:
    return int(rule("TRANSFER_MAX_LINE_ITEMS"))


def require_agent(actor: User, action: str) -> None:
    require_role(actor, *TRANSFER_ROLES)


def partner_of(actor: User) -> Partner:
    """The acting user's partner (the transfer roles are partner roles)."""
    if actor.partner is None:
        raise RoleRequired(TRANSFER_ROLES)
    return actor.partner


def detail_url(transfer: TransferRequest) -> str:
    return reverse("transfer_detail", args=[transfer.pk])


def check_not_sandbox(*partners: Partner) -> None:
    """TR-8: neither side may be an integration sandbox account."""
    for partner in partners:
        if partner.is_sandbox:
            raise SandboxTransfer(  # names neither side: one may be another partner
                "This transfer involves a sandbox (integration test) account: transfers are "
                "not available for sandbox accounts."
            )


def message(name: str, **context: object) -> tuple[str, str]:
    """(subject, body) of the text `templates/transfers/email/<name>.txt`: its first line is
    the subject, the rest the body (an email's or a notification's)."""
    return notifications.render_message(f"transfers/email/{name}.txt", dict(context))


def email_parties(
    transfers: Sequence[TransferRequest],
    name: str,
    *,
    summary: tuple[str, str] | None = None,
    skip_source: bool = False,
) -> None:
    """Email each request's customer (the message `name`, about the request `t`), and its
    source and target: the request's own message with a link when there is one request, else
    the `summary` (subject, body) once per partner for the whole set."""
    now, emails = clock.now(), []
    messages = {transfer.pk: message(name, t=transfer) for transfer in transfers}
    if len(transfers) == 1 or summary is None:
        for transfer in transfers:
            subject, body = messages[transfer.pk]
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
        subject, body = messages[transfer.pk]
        emails.append(
            notifications.build_email(
                to=[transfer.customer_email], subject=subject, body=body, at=now
            )
        )
    notifications.queue_emails(emails)


def event_for(partner: Partner, event: AuditEvent) -> AuditEvent:
    """An unsaved copy of `event` (a request's transition) for `partner`: a request's audit
    events are recorded for each of its two parties, so each sees them in its own log."""
    return audit.build(
        actor=event.actor,
        operation=event.operation,
        partner=partner,
        customer=event.customer,
        object_type=event.object_type,
        object_id=event.object_id,
        old_state=event.old_state,
        new_state=event.new_state,
        detail=event.detail,
        at=event.occurred_at,
    )


def _partner_emails(
    transfer: TransferRequest, subject: str, body: str, skip_source: bool, now: datetime
) -> list[OutboundEmail]:
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


def lock(transfer_or_id: TransferRequest | int | str, partner: Partner) -> TransferRequest:
    """The request locked for update, if `partner` is its source or target (AC-2)."""
    pk = getattr(transfer_or_id, "pk", transfer_or_id)
    return selectors.transfer_for(partner=partner, transfer_id=pk, lock=True)


def check_pending(transfer: TransferRequest, now: datetime) -> None:
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


# --- submit (TR-1, TR-4, TR-5, TR-6, TR-7, MCA-4) --------------------------------------------


def parse_ids(ids: Iterable[object] | None) -> set[uuid.UUID]:
    parsed = set()
    for value in ids or []:
        try:
            parsed.add(uuid.UUID(str(value)))
        except (TypeError, ValueError):
            raise InvalidInput(f"{value!r} is not a subscription id.") from None
    return parsed

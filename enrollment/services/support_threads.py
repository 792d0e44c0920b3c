"""Support requests as threads (DB-1, "Contact support"): after the first message the partner
replies and support staff answer in the admin, until support closes the request. Each message
is a `SupportMessage`; each write is audited. An answer notifies the partner (portal and email)
with a link to the thread; a partner's reply notifies support staff with a link to the request
in the admin."""

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import InvalidInput
from core.models import Role, User
from core.notifications import render_message
from core.roles import require_role

from ..exceptions import SupportRequestClosed, SupportRequestNotFound, SupportStaffOnly
from ..models import SupportMessage, SupportRequest, SupportRequestStatus

REPLY_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)  # who may write to support (as create)
MAX_LENGTH = 4000


def _body(body: str, message: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(message)
    if len(body) > MAX_LENGTH:
        raise InvalidInput(f"Keep the message under {MAX_LENGTH} characters.")
    return body


def _locked_open(queryset: QuerySet[SupportRequest], request_id: int) -> SupportRequest:
    request = queryset.select_for_update().select_related("partner").filter(pk=request_id).first()
    if request is None:
        raise SupportRequestNotFound()
    if request.status != SupportRequestStatus.OPEN:
        raise SupportRequestClosed(
            "This support request is closed, so it takes no more messages. Send a new request "
            "from Contact support."
        )
    return request


def _add(
    request: SupportRequest, *, actor: User, body: str, from_support: bool, operation: str
) -> SupportMessage:
    message = SupportMessage.objects.create(
        request=request, author=actor, from_support=from_support, body=body, created_at=clock.now()
    )
    audit.record(
        actor=actor,
        partner=request.partner,
        operation=operation,
        obj=request,
        detail=body[:200],
    )
    return message


@audit.refusals("support_request.reply")
def support_request_reply(*, actor: User, request_id: int, body: str) -> SupportMessage:
    """A Global admin or Admin agent adds a message to an open request of its own partner.
    Another partner's request is not found (AC-2); a closed one takes no message. Support
    staff are notified (portal and email) with a link to the request in the admin."""
    require_role(actor, *REPLY_ROLES)
    body = _body(body, "Write your reply.")
    if actor.partner_id is None:  # not a partner's user: none of the requests is theirs
        raise SupportRequestNotFound()
    with transaction.atomic():
        request = _locked_open(
            SupportRequest.objects.filter(partner_id=actor.partner_id), request_id
        )
        message = _add(
            request, actor=actor, body=body, from_support=False, operation="support_request.reply"
        )
        _tell_staff(request, actor=actor, body=body)
    return message


def _tell_staff(request: SupportRequest, *, actor: User, body: str) -> None:
    """Staff learn of a partner's reply (portal and email), with a link to answer it."""
    subject, text = render_message(
        "enrollment/email/support_reply_to_staff.txt",
        {"partner": request.partner, "request": request, "author": actor, "body": body},
    )
    notifications.notify_staff(
        subject=subject,
        body=text,
        url=reverse("admin:enrollment_supportrequest_change", args=[request.pk]),
    )


@audit.refusals("support_request.answer")
def support_request_answer(*, actor: User, request_id: int, body: str) -> SupportMessage:
    """Support staff answer an open request in the admin; the partner's Global admins and
    Admin agents are notified, in the portal and by email, with a link to the thread."""
    if actor is None or not getattr(actor, "is_staff", False):
        raise SupportStaffOnly("Only support staff answer support requests.")
    body = _body(body, "Write the answer.")
    with transaction.atomic():
        request = _locked_open(SupportRequest.objects.all(), request_id)
        message = _add(
            request, actor=actor, body=body, from_support=True, operation="support_request.answer"
        )
        subject, text = render_message(
            "enrollment/email/support_answer.txt", {"request": request, "body": body}
        )
        notifications.notify_partner(
            partner=request.partner,
            roles=REPLY_ROLES,
            subject=subject,
            body=text,
            url=reverse("support_request_detail", args=[request.pk]),
        )
    return message

"""Support requests (DB-1): a partner asks support (e.g. to restrict direct-bill); support
close them when they have acted. The thread of messages is `support_threads`."""

from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition, apply_transition_many
from core.models import Partner, Role, User
from core.roles import require_role

from ..exceptions import SupportRequestClosed
from ..models import (
    SUPPORT_REQUEST_TRANSITIONS,
    SupportRequest,
    SupportRequestStatus,
    SupportTopic,
)
from .guards import require_reason, require_staff


@audit.refusals("support_request.create")
def support_request_create(
    *, actor: User, partner: Partner, topic: str, message: str
) -> SupportRequest:
    """DB-1: a partner asks support for something (e.g. to restrict direct-bill)."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    if topic not in SupportTopic.values:
        raise InvalidInput("Choose what you need help with.")
    message = require_reason(message, "Describe what you need.")
    with transaction.atomic():
        request = SupportRequest.objects.create(
            partner=partner,
            topic=topic,
            message=message,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=partner,
            operation="support_request.create",
            obj=request,
            new_state=SupportRequestStatus.OPEN,
            detail=request.get_topic_display(),
        )
    return request


def close_requests(*, actor: User | None, partner: Partner, topic: str, resolution: str) -> None:
    """Close the partner's open requests about `topic` (support did what they asked)."""
    apply_transition_many(
        SupportRequest.objects.select_for_update().filter(
            partner=partner, topic=topic, status=SupportRequestStatus.OPEN
        ),
        SUPPORT_REQUEST_TRANSITIONS,
        SupportRequestStatus.CLOSED,
        actor=actor,
        partner_of=lambda _request: partner,
        operation="support_request.close",
        detail=resolution,
        closed_at=clock.now(),
        closed_by=actor,
        resolution=resolution,
    )


def _close(actor: User | None, request: SupportRequest, resolution: str) -> None:
    apply_transition(
        request,
        SUPPORT_REQUEST_TRANSITIONS,
        SupportRequestStatus.CLOSED,
        actor=actor,
        partner=request.partner,
        operation="support_request.close",
        detail=resolution,
        closed_at=clock.now(),
        closed_by=actor,
        resolution=resolution,
    )


@audit.refusals("support_request.close")
def support_request_close(*, actor: User, request_id: int, resolution: str = "") -> SupportRequest:
    """DB-1: support staff close a request when they have acted on it."""
    require_staff(actor)
    with transaction.atomic():
        request = (
            SupportRequest.objects.select_for_update().select_related("partner").get(pk=request_id)
        )
        if request.status != SupportRequestStatus.OPEN:
            raise SupportRequestClosed()
        _close(actor, request, (resolution or "").strip() or "Closed by support.")
    return request

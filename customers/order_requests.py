"""IR-2: an indirect reseller's order requests, as its provider decides them.

The reseller asks (`services.order_request_create`); the provider fulfils one by placing the
order on its own billing (`services.order_submit` with the request, which calls
`order_request_fulfilled` here) or declines it with a reason (`order_request_decline`). Both
sides are told, and both see the status on the customer page and in their request lists.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import InvalidInput
from core.fsm import apply_transition
from core.models import Partner, Role, User
from core.roles import require_role

from .exceptions import OrderRequestClosed
from .models import ORDER_REQUEST_TRANSITIONS, Order, OrderRequest, OrderRequestStatus

DECIDE_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
REASON_MAX = 500


def requests_for_provider(provider: Partner, *, status: str = "") -> QuerySet[OrderRequest]:
    """The order requests a provider's resellers sent it, open ones first, oldest first."""
    qs = OrderRequest.objects.filter(provider=provider)
    if status in OrderRequestStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "reseller", "requested_by", "decided_by", "order")


def requests_of_reseller(reseller: Partner, *, status: str = "") -> QuerySet[OrderRequest]:
    """The order requests a reseller sent to its providers, newest first."""
    qs = OrderRequest.objects.filter(reseller=reseller)
    if status in OrderRequestStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "provider", "requested_by", "decided_by", "order")


def locked_open_request(*, provider: Partner, order_request_id: int) -> OrderRequest:
    """The provider's open request, locked; a request of another provider is "closed" to it."""
    request = (
        OrderRequest.objects.select_for_update()
        .select_related("customer", "reseller")
        .filter(pk=order_request_id)
        .first()
    )
    if request is None or request.provider_id != provider.pk:
        raise OrderRequestClosed("This order request is not addressed to you.")
    if request.status != OrderRequestStatus.OPEN:
        raise OrderRequestClosed(
            f"This order request was already {request.get_status_display().lower()}."
        )
    return request


def order_request_fulfilled(*, actor: User, request: OrderRequest, order: Order) -> None:
    """Record that `order` fulfilled the locked open `request` and tell the reseller (called by
    `order_submit` inside its transaction)."""
    now = clock.now()
    apply_transition(
        request,
        ORDER_REQUEST_TRANSITIONS,
        OrderRequestStatus.ORDERED,
        actor=actor,
        operation="order_request.fulfil",
        partner=request.reseller,
        customer=request.customer,
        detail=f"{actor.partner} ordered {request.offer_name} ×{request.quantity} "
        f"(order #{order.pk}).",
        at=now,
        order=order,
        decided_by=actor,
        decided_at=now,
    )
    notifications.notify_partner(
        partner=request.reseller,
        subject=f"{actor.partner} ordered {request.offer_name} for {request.customer}",
        body=f"Your request for {request.offer_name} ×{request.quantity} was fulfilled "
        f"(order #{order.pk}).",
        url=reverse("customer_detail", args=[request.customer_id]) + "#order-requests",
    )


@audit.refusals("order_request.decline")
def order_request_decline(*, actor: User, order_request_id: int, reason: str) -> OrderRequest:
    """IR-2: the provider declines an open request of its reseller, with a reason the reseller
    sees; both sides are told."""
    require_role(actor, *DECIDE_ROLES)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Give the reseller a reason for declining its request.")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"Keep the reason under {REASON_MAX} characters.")
    with transaction.atomic():
        request = locked_open_request(provider=actor.partner, order_request_id=order_request_id)
        now = clock.now()
        apply_transition(
            request,
            ORDER_REQUEST_TRANSITIONS,
            OrderRequestStatus.DECLINED,
            actor=actor,
            operation="order_request.decline",
            partner=request.reseller,
            customer=request.customer,
            detail=f"{actor.partner} declined {request.offer_name} ×{request.quantity}: {reason}",
            at=now,
            decided_by=actor,
            decided_at=now,
            decline_reason=reason,
        )
        audit.record(
            actor=actor,
            operation="order_request.decline",
            partner=actor.partner,
            customer=request.customer,
            obj=request,
            old_state=OrderRequestStatus.OPEN,
            new_state=OrderRequestStatus.DECLINED,
            detail=f"Declined {request.reseller}'s request: {reason}",
            at=now,
        )
        notifications.notify_partner(
            partner=request.reseller,
            subject=f"{actor.partner} declined your order request for {request.customer}",
            body=f"{request.offer_name} ×{request.quantity}: {reason}",
            url=reverse("customer_detail", args=[request.customer_id]) + "#order-requests",
        )
    return request

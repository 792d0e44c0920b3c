"""IR-2 (CU-4): an indirect reseller's order requests, as its provider decides them.

The reseller asks (`order_request_create`); the provider fulfils one by placing the order on
its own billing (`orders.order_submit` with the request, which calls `order_request_fulfilled`
here) or declines it with a reason (`order_request_decline`). Both sides are told, and both
see the status on the customer page and in their request lists (`selectors`).
"""

from django.db import transaction
from django.urls import reverse

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition
from core.models import Customer, Partner, RelationshipKind, Role, User
from core.roles import require_role

from ..exceptions import NotIndirectCustomer, OrderRequestClosed
from ..models import ORDER_REQUEST_TRANSITIONS, Order, OrderRequest, OrderRequestStatus
from ..selectors import provider_for, relationship_of
from .common import MANAGE_ROLES, acting_partner, notify_from_template, offer_of, quantity_of

DECIDE_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
REASON_MAX = 500


@audit.refusals("order_request.create")
def order_request_create(
    *, actor: User, customer: Customer, offer_id: str, quantity: int | str, note: str = ""
) -> OrderRequest:
    """An indirect reseller asks its provider to order products for its customer (CU-4)."""
    require_role(actor, *MANAGE_ROLES)
    partner = acting_partner(actor)
    rel = relationship_of(partner=partner, customer=customer)
    if rel is None or rel.kind != RelationshipKind.INDIRECT_RESELLER:
        raise NotIndirectCustomer(
            "Only the indirect reseller of this customer can ask a provider for an order."
        )
    provider_rel = provider_for(reseller=partner, customer=customer)
    if provider_rel is None:
        raise NotIndirectCustomer("No provider serves this customer with you yet.")
    offer = offer_of(offer_id)
    quantity = quantity_of(quantity)
    at = clock.now()
    with transaction.atomic():
        req = OrderRequest.objects.create(
            customer=customer,
            reseller=partner,
            provider=provider_rel.partner,
            offer_id=offer.offer_id,
            offer_name=offer.name,
            quantity=quantity,
            note=note or "",
            requested_by=actor,
            requested_at=at,
        )
        audit.record(
            actor=actor,
            operation="order_request.create",
            customer=customer,
            obj=req,
            new_state=req.status,
            detail=f"{offer.name} ×{quantity} asked of {provider_rel.partner}",
            at=at,
        )
        notify_from_template(
            partner=provider_rel.partner,
            template="order_request_sent",
            url=f"/customers/{customer.pk}/",
            reseller=partner,
            customer=customer,
            offer_name=offer.name,
            quantity=quantity,
            note=note or "",
        )
    return req


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
    notify_from_template(
        partner=request.reseller,
        template="order_request_fulfilled",
        url=reverse("customer_detail", args=[request.customer_id]) + "#order-requests",
        provider=actor.partner,
        request=request,
        order=order,
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
        request = locked_open_request(
            provider=acting_partner(actor), order_request_id=order_request_id
        )
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
        notify_from_template(
            partner=request.reseller,
            template="order_request_declined",
            url=reverse("customer_detail", args=[request.customer_id]) + "#order-requests",
            provider=actor.partner,
            request=request,
            reason=reason,
        )
    return request

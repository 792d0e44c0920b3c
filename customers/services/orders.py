"""Orders (CU-5, MV-1): a direct-bill partner's purchase for its customer ("Add products",
DB-2) and a provider's order for an indirect customer (TR-1), optionally fulfilling its
reseller's order request (IR-2). Each is an order of one line and the subscription it
creates, billed only by a transacting partner (TR-10)."""

from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput, RuleViolation
from core.models import Customer, Partner, User
from core.roles import require_role
from enrollment.capabilities import require_direct_bill_active, require_transacting

from ..catalog import Offer
from ..exceptions import InvalidAddOn, NoProviderRelationship, OrderRequestClosed
from ..models import Order, OrderLine, OrderRequest, ProductType, Subscription, SubscriptionStatus
from ..selectors import provider_relationship, resellers_served
from ..terms import add_months, term_end
from .common import (
    MANAGE_ROLES,
    acting_partner,
    notify_from_template,
    offer_of,
    quantity_of,
    require_direct,
)
from .order_requests import locked_open_request, order_request_fulfilled


def _place_order(
    *,
    actor: User,
    customer: Customer,
    billing_partner: Partner,
    partner_of_record: Partner | None,
    offer: Offer,
    quantity: int,
    parent: Subscription | None,
    at: datetime,
) -> tuple[Order, Subscription]:
    """An order of one line and the subscription it creates (purchase and provider orders),
    billed only by a transacting partner (TR-10)."""
    require_transacting(partner=billing_partner, action="bill subscriptions")
    order = Order.objects.create(
        customer=customer,
        billing_partner=billing_partner,
        partner_of_record=partner_of_record,
        placed_by=actor,
        placed_at=at,
    )
    sub = _new_subscription(
        customer=customer,
        billing_partner=billing_partner,
        partner_of_record=partner_of_record,
        offer=offer,
        quantity=quantity,
        at=at,
        parent=parent,
    )
    OrderLine.objects.create(
        order=order,
        offer_id=offer.offer_id,
        offer_name=offer.name,
        quantity=quantity,
        unit_price_usd=offer.monthly_price_usd,
        subscription=sub,
    )
    return order, sub


def _new_subscription(
    *,
    customer: Customer,
    billing_partner: Partner,
    partner_of_record: Partner | None,
    offer: Offer,
    quantity: int,
    at: datetime,
    parent: Subscription | None,
) -> Subscription:
    return Subscription.objects.create(
        customer=customer,
        billing_partner=billing_partner,
        partner_of_record=partner_of_record,
        offer_id=offer.offer_id,
        offer_name=offer.name,
        product_type=offer.product_type,
        quantity=quantity,
        term_duration=offer.term_duration,
        billing_cycle=offer.billing_cycle,
        commitment_end_date=term_end(at.date(), offer.term_duration),
        auto_renew=True,
        parent=parent,
        created_at=at,
    )


def _check_add_on(
    offer: Offer, parent: Subscription | None, *, customer: Customer, billing_partner: Partner
) -> None:
    if offer.is_add_on:
        if parent is None:
            raise InvalidAddOn("Choose the base subscription this add-on is for.")
        if (
            parent.customer_id != customer.pk
            or parent.billing_partner_id != billing_partner.pk
            or parent.status != SubscriptionStatus.ACTIVE
            or parent.offer_id not in offer.add_on_for
        ):
            raise InvalidAddOn()
    elif parent is not None:
        raise InvalidAddOn("Only an add-on has a base subscription.")


# --- direct-bill purchases (CU-5, DB-2) --------------------------------------------------------


def purchase_refusal(*, partner: Partner) -> RuleViolation | None:
    """DB-2: why "Add products" is refused right now (None when allowed), for the page: the
    same check `subscription_purchase` makes, so the page never offers what it refuses."""
    try:
        require_direct_bill_active(partner=partner, action="purchase new products or add-ons")
    except RuleViolation as refusal:
        return refusal
    return None


@audit.refusals("subscription.purchase")
def subscription_purchase(
    *,
    actor: User,
    customer: Customer,
    offer_id: str,
    quantity: int | str,
    parent: Subscription | None = None,
    trial: bool = False,
    convert_trial: bool = False,
) -> Subscription:
    """ "Add products" for a direct-bill customer: a new subscription billed by this partner.
    Refused while the direct-bill account is Restricted (DB-2). A `trial` of a licence-based
    offer lasts one month and converts to paid at its end when `convert_trial` (NC-3)."""
    require_role(actor, *MANAGE_ROLES)
    partner = acting_partner(actor)
    require_direct(partner, customer)
    require_direct_bill_active(partner=partner, action="purchase new products or add-ons")
    offer = offer_of(offer_id)
    quantity = quantity_of(quantity)
    if trial and (offer.product_type != ProductType.LICENSE or offer.is_add_on):
        raise InvalidInput("Only a licence-based product (not an add-on) can start as a trial.")
    at = clock.now()
    with transaction.atomic():
        if parent is not None:
            parent = Subscription.objects.select_for_update().get(pk=parent.pk)
        _check_add_on(offer, parent, customer=customer, billing_partner=partner)
        order, sub = _place_order(
            actor=actor,
            customer=customer,
            billing_partner=partner,
            partner_of_record=None,
            offer=offer,
            quantity=quantity,
            parent=parent,
            at=at,
        )
        if trial:
            months = cast(int, settings.PROGRAM_RULES["NC_TRIAL_MONTHS"])
            sub.is_trial = True
            sub.auto_renew = bool(convert_trial)
            sub.commitment_end_date = add_months(at.date(), months) - timedelta(days=1)
            sub.save(update_fields=["is_trial", "auto_renew", "commitment_end_date"])
        audit.record(
            actor=actor,
            operation="subscription.purchase",
            customer=customer,
            obj=sub,
            new_state=sub.status,
            detail=f"{offer.name} ×{quantity}{' trial' if trial else ''} (order #{order.pk})",
            at=at,
        )
    return sub


# --- provider orders (MV-1, IR-2, IR-4) --------------------------------------------------------


@audit.refusals("order.submit")
def order_submit(
    *,
    actor: User,
    customer: Customer,
    offer_id: str,
    quantity: int | str,
    parent: Subscription | None = None,
    order_request: OrderRequest | None = None,
    reseller: Partner | None = None,
) -> Order:
    """A provider submits an order for an indirect customer: the subscription is billed by the
    provider with the reseller as partner of record (TR-1). MV-1: only with an active reseller
    relationship with the customer. IR-4: a provider serving the customer for several resellers
    orders for one of them: the order request's, or the `reseller` named."""
    require_role(actor, *MANAGE_ROLES)
    provider = acting_partner(actor)
    if order_request is not None:
        reseller = order_request.reseller
    rel = provider_relationship(provider=provider, customer=customer, reseller=reseller)
    if (
        rel is None
        and reseller is None
        and len(resellers_served(provider=provider, customer=customer)) > 1
    ):
        raise InvalidInput(
            "You serve this customer for several resellers: choose the reseller the order is "
            "for (its partner of record)."
        )
    if not provider.is_indirect_provider or rel is None:
        raise NoProviderRelationship()
    offer = offer_of(offer_id)
    quantity = quantity_of(quantity)
    at = clock.now()
    with transaction.atomic():
        req = None
        if order_request is not None:
            req = locked_open_request(provider=provider, order_request_id=order_request.pk)
            if req.customer_id != customer.pk:
                raise OrderRequestClosed("This order request is not addressed to you.")
        if parent is not None:
            parent = Subscription.objects.select_for_update().get(pk=parent.pk)
        _check_add_on(offer, parent, customer=customer, billing_partner=provider)
        # IR-2/IR-4: the reseller that asked is the partner of record.
        of_record = req.reseller if req is not None else rel.reseller
        order, sub = _place_order(
            actor=actor,
            customer=customer,
            billing_partner=provider,
            partner_of_record=of_record,
            offer=offer,
            quantity=quantity,
            parent=parent,
            at=at,
        )
        if req is not None:
            order_request_fulfilled(actor=actor, request=req, order=order)
        audit.record(
            actor=actor,
            operation="order.submit",
            customer=customer,
            obj=order,
            new_state="submitted",
            detail=f"{offer.name} ×{quantity}, partner of record {of_record or '—'}",
            at=at,
        )
        if of_record is not None:
            audit.record(
                actor=actor,
                operation="order.submit",
                partner=of_record,
                customer=customer,
                obj=order,
                new_state="submitted",
                detail=f"{provider} ordered {offer.name} ×{quantity} for your customer",
                at=at,
            )
        if of_record is not None and req is None:  # a fulfilled request tells it already
            notify_from_template(
                partner=of_record,
                template="order_placed_for_you",
                url=f"/customers/{customer.pk}/",
                email=False,
                provider=provider,
                offer_name=offer.name,
                customer=customer,
            )
    return order

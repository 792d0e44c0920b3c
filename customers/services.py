"""Customer services: create customers (CU-3, DB-2), purchase and manage subscriptions (CU-4,
CU-5, DB-2), provider orders (MV-1), order requests, tenant users and licences, service
requests, MCA attestation and admin-center acceptance (MCA-2) and the legacy → new commerce
migration (TR-5). Every page, API call and task calls these functions."""

import calendar
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from core import audit, clock, notifications
from core.exceptions import InvalidInput, RoleRequired, RuleViolation
from core.fsm import apply_transition, check_transition
from core.models import (
    Customer,
    CustomerRelationship,
    RelationshipKind,
    RelationshipOrigin,
    Role,
    Tenant,
)
from core.roles import require_customer_global_admin, require_role
from core.services.relationships import (
    customer_relationship_build,
    customer_relationship_create,
    customer_relationship_create_many,
)
from enrollment import agreements
from enrollment.capabilities import (
    direct_bill_status,
    is_indirect_reseller,
    require_direct_bill_active,
    require_transacting,
)

from . import hooks
from .catalog import LEGACY_EQUIVALENTS, NEW_COMMERCE_TYPE, OFFERS
from .exceptions import (
    CancellationWindowClosed,
    DomainTaken,
    InvalidAddOn,
    InvalidMigrationTerms,
    LicenseUnavailable,
    McaAttestationRefused,
    McaDateInFuture,
    NoAdminPermissions,
    NoProviderRelationship,
    NotDirectBillCustomer,
    NotIndirectCustomer,
    NotLegacySubscription,
    OrderRequestClosed,
    ResellerCannotCreateTenant,
    ResellerNotEligible,
    SeatReductionWindowClosed,
    SubscriptionExpired,
    SubscriptionNotActive,
    UnknownOffer,
)
from .indirect import relationships_become_indirect
from .models import (
    LIVE_STATUSES,
    MAX_QUANTITY,
    SERVICE_REQUEST_TRANSITIONS,
    SUBSCRIPTION_TRANSITIONS,
    BillingCycle,
    CustomerUser,
    McaAcceptance,
    McaMethod,
    Order,
    OrderLine,
    OrderRequest,
    ProductType,
    ServiceRequest,
    ServiceRequestSeverity,
    ServiceRequestStatus,
    Subscription,
    SubscriptionStatus,
)
from .order_requests import locked_open_request, order_request_fulfilled

# AC-1, following Partner Center's roles: Admin agents (and Global admins) buy and manage
# subscriptions and customers; Sales agents may also attest the MCA; everyone may view.
MANAGE_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
MCA_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT)


# --- helpers ----------------------------------------------------------------------------------


def relationship_of(partner, customer) -> CustomerRelationship | None:
    """The partner's active relationship with the customer: its only one, except for a provider
    serving the customer for several resellers (IR-4), where it is the oldest of them (see
    `provider_relationship` to pick the one of a reseller)."""
    return (
        CustomerRelationship.objects.active()
        .filter(partner=partner, customer=customer)
        .select_related("reseller")
        .first()
    )


def resellers_served(provider, customer) -> list:
    """The resellers `provider` serves `customer` for, oldest relationship first (IR-4)."""
    return [
        r.reseller
        for r in CustomerRelationship.objects.active()
        .filter(partner=provider, customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER)
        .select_related("reseller")
    ]


def provider_relationship(provider, customer, reseller=None) -> CustomerRelationship | None:
    """The provider's active relationship with `customer` for `reseller` (IR-4: one per
    reseller). Without a reseller named: the only one, or None when there are several."""
    rels = CustomerRelationship.objects.active().filter(
        partner=provider, customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER
    )
    if reseller is not None:
        return rels.filter(reseller=reseller).select_related("reseller").first()
    found = list(rels.select_related("reseller")[:2])
    return found[0] if len(found) == 1 else None


def _require_direct(partner, customer) -> CustomerRelationship:
    rel = relationship_of(partner, customer)
    if rel is None or rel.kind != RelationshipKind.DIRECT:
        raise NotDirectBillCustomer()
    return rel


def _offer(offer_id):
    offer = OFFERS.get(offer_id or "")
    if offer is None:
        raise UnknownOffer()
    return offer


def _quantity(quantity) -> int:
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput("Enter a whole number of licences.") from None
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"The quantity must be between 1 and {MAX_QUANTITY}.")
    return value


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def term_end(start: date, term: str) -> date | None:
    """The commitment end date of a term starting on `start` (ISO 8601 P1M / P1Y / P3Y)."""
    months = {"P1M": 1, "P1Y": 12, "P3Y": 36}.get(term or "")
    return _add_months(start, months) - timedelta(days=1) if months else None


def set_subscription_status(sub: Subscription, new: str, at) -> str:
    """Move a (locked) subscription to `new` by the transition table; deleted/expired stamp
    `ended_at`. No rule or role check: callers (services) check those. Returns the old status.
    """
    old = sub.status
    check_transition(SUBSCRIPTION_TRANSITIONS, old, new, label="subscription status")
    sub.status = new
    if new in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
        sub.ended_at = at
    sub.save(update_fields=["status", "ended_at"])
    return old


def _place_order(
    *, actor, customer, billing_partner, partner_of_record, offer, quantity, parent, at
):
    """An order of one line and the subscription it creates (purchase and provider orders),
    billed only by a transacting partner (TR-10)."""
    require_transacting(billing_partner, "bill subscriptions")
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


def _new_subscription(*, customer, billing_partner, partner_of_record, offer, quantity, at, parent):
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


def _check_add_on(offer, parent, *, customer, billing_partner):
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


# --- customers (CU-3, DB-2) -------------------------------------------------------------------


def check_can_create_customers(partner) -> None:
    """Raise the refusal when `partner` may not create customer tenants at all: an indirect
    reseller without an open direct-bill account (CU-3), or a direct-bill account that is not
    Active (DB-2). Providers may (naming a reseller)."""
    if partner.is_indirect_provider:
        return
    if direct_bill_status(partner) in (None, "closed") and is_indirect_reseller(partner):
        raise ResellerCannotCreateTenant()
    require_direct_bill_active(partner, "create customer tenants")


def create_customer_refusal(partner) -> RuleViolation | None:
    """The refusal a page shows before the form when creating is refused (None when allowed)."""
    try:
        check_can_create_customers(partner)
    except RuleViolation as refusal:
        return refusal
    return None


@audit.refusals("customer.create")
def customer_create(
    *,
    actor,
    company_name: str,
    domain: str,
    email: str,
    contact_name: str = "",
    address_line: str = "",
    city: str = "",
    postal_code: str = "",
    country: str = "US",
    phone: str = "",
    reseller=None,
) -> Customer:
    """Create a customer tenant. A direct-bill partner needs an Active direct-bill account
    (DB-2); an indirect reseller can't (CU-3); a provider creates it naming the reseller, and
    both get their relationship at once."""
    require_role(actor, *MANAGE_ROLES)
    partner = actor.partner
    domain = (domain or "").strip().lower()
    if not company_name or not domain or not email:
        raise InvalidInput("Enter the company name, the domain and the contact email.")
    if partner.is_indirect_provider:
        if reseller is None:
            raise InvalidInput("Name the indirect reseller the customer buys through.")
        if reseller.pk == partner.pk or not is_indirect_reseller(reseller):
            raise ResellerNotEligible(
                f"{reseller.legal_name} is not an active indirect reseller, so it can't be "
                "named on a new customer."
            )
        hooks.run_reseller_checks(partner, reseller)
    else:
        check_can_create_customers(partner)
    if Tenant.objects.filter(domain=domain).exists():
        raise DomainTaken(f"The domain {domain} is already in use by another tenant.")
    at = clock.now()
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(name=company_name, domain=domain)
            customer = Customer.objects.create(
                tenant=tenant,
                company_name=company_name,
                email=email,
                contact_name=contact_name,
                address_line=address_line,
                city=city,
                postal_code=postal_code,
                country=country or "US",
                phone=phone,
            )
            if partner.is_indirect_provider:
                customer_relationship_create_many(
                    relationships=[
                        customer_relationship_build(
                            customer=customer,
                            partner=partner,
                            kind=RelationshipKind.INDIRECT_PROVIDER,
                            origin=RelationshipOrigin.PROVIDER_CREATED,
                            reseller=reseller,
                            has_admin_privileges=True,
                            bill_to_copy=customer.bill_to(),
                            established_at=at,
                        ),
                        customer_relationship_build(
                            customer=customer,
                            partner=reseller,
                            kind=RelationshipKind.INDIRECT_RESELLER,
                            origin=RelationshipOrigin.PROVIDER_CREATED,
                            has_admin_privileges=True,
                            established_at=at,
                        ),
                    ]
                )
                detail = f"Tenant created by the provider for indirect reseller {reseller}."
            else:
                customer_relationship_create(
                    customer=customer,
                    partner=partner,
                    kind=RelationshipKind.DIRECT,
                    origin=RelationshipOrigin.CREATED,
                    has_admin_privileges=True,
                    established_at=at,
                )
                detail = "Direct-bill customer tenant created."
            audit.record(
                actor=actor,
                operation="customer.create",
                customer=customer,
                obj=customer,
                new_state="created",
                detail=detail,
                at=at,
            )
            if reseller is not None:
                audit.record(
                    actor=actor,
                    operation="customer.create",
                    partner=reseller,
                    customer=customer,
                    obj=customer,
                    new_state="created",
                    detail=f"Tenant created by your provider {partner}, naming you.",
                    at=at,
                )
                notifications.notify_partner(
                    partner=reseller,
                    subject=f"{partner} created the customer {company_name} for you",
                    body="The customer now appears in your customers list.",
                    url=f"/customers/{customer.pk}/",
                )
    except IntegrityError:
        raise DomainTaken(f"The domain {domain} is already in use by another tenant.") from None
    return customer


# --- direct-bill purchases and subscription management (CU-4, CU-5, DB-2) ---------------------


def purchase_refusal(partner) -> RuleViolation | None:
    """DB-2: why "Add products" is refused right now (None when allowed), for the page: the
    same check `subscription_purchase` makes, so the page never offers what it refuses."""
    try:
        require_direct_bill_active(partner, "purchase new products or add-ons")
    except RuleViolation as refusal:
        return refusal
    return None


@audit.refusals("subscription.purchase")
def subscription_purchase(
    *,
    actor,
    customer,
    offer_id,
    quantity,
    parent=None,
    trial: bool = False,
    convert_trial: bool = False,
) -> Subscription:
    """ "Add products" for a direct-bill customer: a new subscription billed by this partner.
    Refused while the direct-bill account is Restricted (DB-2). A `trial` of a licence-based
    offer lasts one month and converts to paid at its end when `convert_trial` (NC-3)."""
    require_role(actor, *MANAGE_ROLES)
    partner = actor.partner
    _require_direct(partner, customer)
    require_direct_bill_active(partner, "purchase new products or add-ons")
    offer = _offer(offer_id)
    quantity = _quantity(quantity)
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
            months = settings.PROGRAM_RULES["NC_TRIAL_MONTHS"]
            sub.is_trial = True
            sub.auto_renew = bool(convert_trial)
            sub.commitment_end_date = _add_months(at.date(), months) - timedelta(days=1)
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


def _locked_own_subscription(actor, subscription) -> Subscription:
    """The subscription, locked, if the actor's partner bills it (DB-2: managing existing
    subscriptions stays allowed while Restricted) and it has not expired (NC-1)."""
    sub = (
        Subscription.objects.select_for_update().select_related("customer").get(pk=subscription.pk)
    )
    if (
        sub.billing_partner_id != actor.partner_id
        or relationship_of(actor.partner, sub.customer) is None
    ):
        raise NotDirectBillCustomer("Only the partner that bills this subscription can manage it.")
    if sub.status == SubscriptionStatus.EXPIRED:
        ended = f" on {sub.ended_at:%d %b %Y}" if sub.ended_at else ""
        raise SubscriptionExpired(
            f"{sub.offer_name} expired{ended} and can't be changed; buy a new subscription instead."
        )
    return sub


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%d %b %Y %H:%M} UTC"


def _window_closed_at(sub: Subscription, at: datetime) -> datetime | None:
    """When the NC-2 window of `sub` closed, if it has closed by `at`."""
    closes = sub.cancellation_window_closes
    return closes if closes is not None and at >= closes else None


def _tell_billing_partner(sub: Subscription, subject: str, body: str = "") -> None:
    """NC-4: the billing partner's admins see every change of its subscriptions in the portal."""
    notifications.notify_partner(
        partner=sub.billing_partner,
        subject=subject,
        body=body,
        url=f"/customers/{sub.customer_id}/#subscriptions",
        email=False,
    )


@audit.refusals("subscription.change_quantity")
def subscription_change_quantity(*, actor, subscription, quantity) -> Subscription:
    """Change the seat count of an active subscription. Seats go up at any time; they go down
    only within the NC-2 window after purchase or renewal (Partner Center: "Change the quantity
    of a subscription", https://learn.microsoft.com/partner-center/developer/change-the-quantity-of-a-subscription).
    """
    require_role(actor, *MANAGE_ROLES)
    quantity = _quantity(quantity)
    at = clock.now()
    with transaction.atomic():
        sub = _locked_own_subscription(actor, subscription)
        if sub.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionNotActive("Only an active subscription's seat count can change.")
        closed = _window_closed_at(sub, at) if quantity < sub.quantity else None
        if closed is not None:
            renews = f" on {sub.commitment_end_date:%d %b %Y}" if sub.commitment_end_date else ""
            raise SeatReductionWindowClosed(
                f"Seats of {sub.offer_name} can only be reduced within 7 days of purchase or "
                f"renewal; that window closed on {_utc(closed)}. Until the term ends{renews} "
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
        _tell_billing_partner(sub, f"{sub.offer_name} for {sub.customer}: seats {old} → {quantity}")
    return sub


@audit.refusals("subscription.schedule_quantity")
def subscription_schedule_renewal_quantity(
    *, actor, subscription, quantity: int | None
) -> Subscription:
    """NC-2: the seat count an active new commerce licence-based subscription renews with — how
    seats go down once the window has closed; None cancels the scheduled change. The renewal
    (NC-1) applies it. Partner Center's scheduled changes:
    https://learn.microsoft.com/partner-center/developer/create-scheduled-changes"""
    require_role(actor, *MANAGE_ROLES)
    quantity = None if quantity in (None, "") else _quantity(quantity)
    at = clock.now()
    with transaction.atomic():
        sub = _locked_own_subscription(actor, subscription)
        if sub.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionNotActive("Only an active subscription's renewal can be scheduled.")
        if sub.product_type != ProductType.LICENSE or sub.is_trial:
            raise InvalidInput("Only a new commerce licence-based subscription renews with seats.")
        if quantity is not None and not sub.auto_renew:
            raise InvalidInput(
                f"{sub.offer_name} does not renew (auto-renew is off); turn auto-renew on to "
                "schedule its seats for the renewal."
            )
        old = sub.renewal_quantity
        sub.renewal_quantity = None if quantity == sub.quantity else quantity
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
        _tell_billing_partner(
            sub,
            f"{sub.offer_name} for {sub.customer} renews with "
            f"{sub.renewal_quantity or sub.quantity} seats",
        )
    return sub


# Add-ons follow their base: suspended and reactivated with it, cancelled with it.
_ADD_ONS_FOLLOW = {
    SubscriptionStatus.SUSPENDED: (SubscriptionStatus.ACTIVE,),
    SubscriptionStatus.ACTIVE: (SubscriptionStatus.SUSPENDED,),
    SubscriptionStatus.DELETED: (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED),
}


_NEW_STATE = {
    SubscriptionStatus.SUSPENDED: "suspended",
    SubscriptionStatus.ACTIVE: "active again",
    SubscriptionStatus.DELETED: "cancelled",
}


def _change_status(actor, subscription, new, operation, *, check=None) -> Subscription:
    """Move the actor's subscription (and its add-ons) to `new`; `check(sub, at)` raises the
    rule's refusal first. Audited and told to the billing partner (NC-4)."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub = _locked_own_subscription(actor, subscription)
        if check is not None:
            check(sub, at)
        old = set_subscription_status(sub, new, at)
        events = [
            audit.build(
                actor=actor,
                operation=operation,
                customer=sub.customer,
                obj=sub,
                old_state=old,
                new_state=new,
                detail=sub.offer_name,
                at=at,
            )
        ]
        for add_on in Subscription.objects.select_for_update().filter(
            parent=sub, status__in=_ADD_ONS_FOLLOW.get(new, ())
        ):
            add_on_old = set_subscription_status(add_on, new, at)
            events.append(
                audit.build(
                    actor=actor,
                    operation=operation,
                    customer=sub.customer,
                    obj=add_on,
                    old_state=add_on_old,
                    new_state=new,
                    detail=f"{add_on.offer_name} (add-on of {sub.offer_name})",
                    at=at,
                )
            )
        audit.record_many(events)
        if new == SubscriptionStatus.DELETED:  # IR-1: maybe the last one it billed
            relationships_become_indirect(
                actor=actor, partner=sub.billing_partner, customer_ids=[sub.customer_id]
            )
        _tell_billing_partner(sub, f"{sub.offer_name} for {sub.customer} is {_NEW_STATE[new]}")
    return sub


# Suspend and reactivate: https://learn.microsoft.com/partner-center/developer/suspend-a-subscription
@audit.refusals("subscription.suspend")
def subscription_suspend(*, actor, subscription) -> Subscription:
    return _change_status(actor, subscription, SubscriptionStatus.SUSPENDED, "subscription.suspend")


@audit.refusals("subscription.reactivate")
def subscription_reactivate(*, actor, subscription) -> Subscription:
    return _change_status(actor, subscription, SubscriptionStatus.ACTIVE, "subscription.reactivate")


def _check_cancellation_window(sub, at) -> None:
    closed = _window_closed_at(sub, at)
    if closed is not None:
        ends = f" on {sub.commitment_end_date:%d %b %Y}" if sub.commitment_end_date else ""
        raise CancellationWindowClosed(
            f"{sub.offer_name} can no longer be cancelled: the cancellation window (7 days after "
            f"purchase or renewal) closed on {_utc(closed)}. Turn auto-renew off to let it end "
            f"at its term end{ends}."
        )


@audit.refusals("subscription.cancel")
def subscription_cancel(*, actor, subscription) -> Subscription:
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
def subscription_set_auto_renew(*, actor, subscription, enabled: bool) -> Subscription:
    """Turn renewal at term end on or off (NC-1); on a trial it chooses conversion to paid at
    the trial's end (NC-3)."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub = _locked_own_subscription(actor, subscription)
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
        _tell_billing_partner(
            sub, f"Auto-renew {'on' if enabled else 'off'}: {sub.offer_name} for {sub.customer}"
        )
    return sub


UPDATABLE_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.SUSPENDED,
    SubscriptionStatus.DELETED,
)


@audit.refusals("subscription.update")
def subscription_update(
    *,
    actor,
    subscription,
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
        sub = _locked_own_subscription(actor, subscription)
        if status == SubscriptionStatus.ACTIVE and sub.status == SubscriptionStatus.SUSPENDED:
            sub = subscription_reactivate(actor=actor, subscription=sub)
        if quantity is not None and quantity != sub.quantity:
            sub = subscription_change_quantity(actor=actor, subscription=sub, quantity=quantity)
        if auto_renew is not None and auto_renew != sub.auto_renew:
            sub = subscription_set_auto_renew(actor=actor, subscription=sub, enabled=auto_renew)
        if renewal_quantity is not None and renewal_quantity != sub.renewal_quantity:
            sub = subscription_schedule_renewal_quantity(
                actor=actor, subscription=sub, quantity=renewal_quantity
            )
        if status == SubscriptionStatus.SUSPENDED and sub.status != status:
            sub = subscription_suspend(actor=actor, subscription=sub)
        elif status == SubscriptionStatus.DELETED:
            sub = subscription_cancel(actor=actor, subscription=sub)
        sub.refresh_from_db()
    return sub


# --- TR-5: legacy → new commerce ---------------------------------------------------------------

# The billing frequencies Partner Center offers for each new commerce term.
BILLING_CYCLES_BY_TERM = {
    "P1M": (BillingCycle.MONTHLY,),
    "P1Y": (BillingCycle.MONTHLY, BillingCycle.ANNUAL),
    "P3Y": (BillingCycle.MONTHLY, BillingCycle.ANNUAL, BillingCycle.TRIENNIAL),
}


def _migration_terms(sub, *, term, billing_cycle, quantity, full_term, today):
    """The (term, billing cycle, quantity, commitment end) a migration creates, from the
    partner's choices with the legacy subscription's values as defaults; refused when they
    don't fit together (TR-5). A legacy Azure subscription becomes a pay-as-you-go Azure plan:
    nothing to choose."""
    if sub.product_type == ProductType.LEGACY_AZURE:
        if term or billing_cycle or quantity not in (None, "", sub.quantity) or full_term is False:
            raise InvalidMigrationTerms(
                "An Azure plan is pay-as-you-go: it has no term, billing frequency, seat count "
                "or term end to choose."
            )
        term = sub.term_duration or "P1Y"
        return term, sub.billing_cycle, sub.quantity, term_end(today, term)
    term = (term or sub.term_duration or "P1Y").upper()
    if term not in BILLING_CYCLES_BY_TERM:
        raise InvalidMigrationTerms(f"The term must be P1M, P1Y or P3Y, not {term!r}.")
    allowed = BILLING_CYCLES_BY_TERM[term]
    cycle = (billing_cycle or "").lower()
    if not cycle:
        cycle = sub.billing_cycle if sub.billing_cycle in allowed else BillingCycle.MONTHLY
    if cycle not in allowed:
        names = " or ".join(str(BillingCycle(c).label).lower() for c in allowed)
        raise InvalidMigrationTerms(f"A {term} term is billed {names}, not {cycle!r}.")
    quantity = sub.quantity if quantity in (None, "") else _quantity(quantity)
    full_end = term_end(today, term)
    current_end = sub.commitment_end_date
    if full_term is None:  # keep the current term end when it fits in the new term
        full_term = current_end is None or not today <= current_end <= full_end
    if full_term:
        return term, cycle, quantity, full_end
    if current_end is None or current_end < today:
        raise InvalidMigrationTerms(
            "The legacy subscription has no current term end to keep; migrate with a full term."
        )
    if current_end > full_end:
        raise InvalidMigrationTerms(
            f"The current term ends on {current_end:%d %b %Y}, after a {term} term bought today "
            f"would ({full_end:%d %b %Y}); choose a longer term or a full term."
        )
    return term, cycle, quantity, current_end


def checked_migration(
    actor, subscription, *, term_duration, billing_cycle, quantity, full_term, today
) -> tuple[Subscription, tuple]:
    """The locked legacy subscription and its new commerce terms (term, cycle, seats, end), or
    the refusal: only the direct-bill partner that bills it (TR-10), an active legacy
    subscription, options that fit (TR-5). Callers hold a transaction."""
    sub = _locked_own_subscription(actor, subscription)
    _require_direct(actor.partner, sub.customer)
    if not sub.is_legacy:
        raise NotLegacySubscription()
    require_transacting(sub.billing_partner, "bill subscriptions")  # TR-10
    if sub.status != SubscriptionStatus.ACTIVE:
        raise SubscriptionNotActive("Only an active legacy subscription can be migrated.")
    terms = _migration_terms(
        sub,
        term=term_duration,
        billing_cycle=billing_cycle,
        quantity=quantity,
        full_term=full_term,
        today=today,
    )
    return sub, terms


@audit.refusals("subscription.migrate_new_commerce")
def subscription_migrate_to_new_commerce(
    *,
    actor,
    subscription,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    quantity: int | None = None,
    full_term: bool | None = True,
) -> Subscription:
    """End a legacy subscription and create its new commerce equivalent, billed by the same
    partner, with the term, billing frequency and seat count the partner chooses (defaults:
    the legacy subscription's, P1Y when it had no term). `full_term` starts a full new term
    today; False keeps the legacy term end; None keeps it when it fits in the new term (Partner
    Center's `purchaseFullTerm`, https://learn.microsoft.com/partner-center/developer/create-migration).
    Only the direct-bill partner that bills it."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub, (term, cycle, seats, end) = checked_migration(
            actor,
            subscription,
            term_duration=term_duration,
            billing_cycle=billing_cycle,
            quantity=quantity,
            full_term=full_term,
            today=at.date(),
        )
        offer = OFFERS.get(LEGACY_EQUIVALENTS.get(sub.offer_id, ""))
        new = Subscription.objects.create(
            customer=sub.customer,
            billing_partner=sub.billing_partner,
            partner_of_record=sub.partner_of_record,
            offer_id=offer.offer_id if offer else f"{sub.offer_id}:NCE",
            offer_name=offer.name if offer else sub.offer_name.replace(" (legacy)", ""),
            product_type=NEW_COMMERCE_TYPE.get(sub.product_type, ProductType.LICENSE),
            quantity=seats,
            term_duration=term,
            billing_cycle=cycle,
            commitment_end_date=end,
            term_started_at=at,
            auto_renew=sub.auto_renew,
            is_trial=sub.is_trial,
            migrated_from=sub,
            created_at=at,
        )
        Subscription.objects.filter(parent=sub, status__in=LIVE_STATUSES).update(parent=new)
        set_subscription_status(sub, SubscriptionStatus.DELETED, at)
        audit.record(
            actor=actor,
            operation="subscription.migrate_new_commerce",
            customer=sub.customer,
            obj=sub,
            old_state=f"{sub.product_type} active",
            new_state=f"{new.product_type} {new.pk}",
            detail=(
                f"{sub.offer_name} ×{sub.quantity} migrated to {new.offer_name} ×{seats}, "
                f"{term} billed {cycle}, term ends {end:%d %b %Y}"
            ),
            at=at,
        )
        _tell_billing_partner(sub, f"{sub.offer_name} for {sub.customer} moved to new commerce")
    return new


# --- indirect customers: order requests, provider orders (CU-4, MV-1) -------------------------


def provider_for(reseller, customer) -> CustomerRelationship | None:
    """The provider relationship serving `customer` for `reseller` (CU-1)."""
    return (
        CustomerRelationship.objects.active()
        .filter(customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER, reseller=reseller)
        .select_related("partner")
        .first()
    )


@audit.refusals("order_request.create")
def order_request_create(*, actor, customer, offer_id, quantity, note="") -> OrderRequest:
    """An indirect reseller asks its provider to order products for its customer (CU-4)."""
    require_role(actor, *MANAGE_ROLES)
    partner = actor.partner
    rel = relationship_of(partner, customer)
    if rel is None or rel.kind != RelationshipKind.INDIRECT_RESELLER:
        raise NotIndirectCustomer(
            "Only the indirect reseller of this customer can ask a provider for an order."
        )
    provider_rel = provider_for(partner, customer)
    if provider_rel is None:
        raise NotIndirectCustomer("No provider serves this customer with you yet.")
    offer = _offer(offer_id)
    quantity = _quantity(quantity)
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
        notifications.notify_partner(
            partner=provider_rel.partner,
            subject=f"{partner} asks you to order {offer.name} for {customer}",
            body=f"{offer.name} ×{quantity}. {note}".strip(),
            url=f"/customers/{customer.pk}/",
        )
    return req


@audit.refusals("order.submit")
def order_submit(
    *, actor, customer, offer_id, quantity, parent=None, order_request=None, reseller=None
) -> Order:
    """A provider submits an order for an indirect customer: the subscription is billed by the
    provider with the reseller as partner of record (TR-1). MV-1: only with an active reseller
    relationship with the customer. IR-4: a provider serving the customer for several resellers
    orders for one of them: the order request's, or the `reseller` named."""
    require_role(actor, *MANAGE_ROLES)
    provider = actor.partner
    if order_request is not None:
        reseller = order_request.reseller
    rel = provider_relationship(provider, customer, reseller)
    if rel is None and reseller is None and len(resellers_served(provider, customer)) > 1:
        raise InvalidInput(
            "You serve this customer for several resellers: choose the reseller the order is "
            "for (its partner of record)."
        )
    if not provider.is_indirect_provider or rel is None:
        raise NoProviderRelationship()
    offer = _offer(offer_id)
    quantity = _quantity(quantity)
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
            notifications.notify_partner(
                partner=of_record,
                subject=f"{provider} ordered {offer.name} for {customer}",
                url=f"/customers/{customer.pk}/",
                email=False,
            )
    return order


# --- indirect customers: users, licences, service requests (CU-4, CU-6) ------------------------


def _require_tenant_manager(actor, customer, task: str) -> CustomerRelationship:
    """Managing the customer's users and licences: a partner related to the customer (CU-4; an
    extension gives no admin privileges, MV-5) holding, through an active GDAP relationship, a
    role that allows `task` (CU-6). Call it inside the transaction: the GDAP rows stay locked
    until commit, so ending GDAP (GD-3) removes the rights at once."""
    require_role(actor, *MANAGE_ROLES)
    rel = (
        CustomerRelationship.objects.active()
        .filter(partner=actor.partner, customer=customer)
        .order_by("-has_admin_privileges", "established_at")  # IR-4: any with privileges
        .first()
    )
    if (
        rel is None
        or rel.kind == RelationshipKind.INDIRECT_PROVIDER
        and not rel.has_admin_privileges
    ):
        raise NotIndirectCustomer("You can't manage this customer's users.")
    rights = hooks.admin_rights(actor.partner, customer, lock=True)
    if not rights.allows(task):
        raise NoAdminPermissions(rights.refusal(task, customer))
    return rel


@audit.refusals("customer_user.create")
def customer_user_create(*, actor, customer, display_name, email) -> CustomerUser:
    """Add a user to the customer's tenant (CU-4; CU-6: needs User Administrator through GDAP)."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        _require_tenant_manager(actor, customer, hooks.MANAGE_USERS)
        if not display_name or not email:
            raise InvalidInput("Enter the user's name and email.")
        if not email.endswith("@" + customer.tenant.domain):
            raise InvalidInput(
                f"The user's email must be in the customer's domain ({customer.domain})."
            )
        if CustomerUser.objects.filter(customer=customer, email=email).exists():
            raise InvalidInput("A user with that email already exists.")
        user = CustomerUser.objects.create(
            customer=customer, display_name=display_name, email=email, created_at=clock.now()
        )
        audit.record(
            actor=actor,
            operation="customer_user.create",
            customer=customer,
            obj=user,
            new_state="created",
            detail=email,
        )
    return user


def license_pool(customer) -> dict[str, dict]:
    """offer id → {'name', 'total', 'assigned'} over the customer's active license-based
    subscriptions (whoever bills them) and its users' assignments."""
    pool = {}
    rows = (
        Subscription.objects.filter(
            customer=customer, status=SubscriptionStatus.ACTIVE, product_type=ProductType.LICENSE
        )
        .values("offer_id", "offer_name")
        .annotate(total=Sum("quantity"))
        .order_by("offer_name")
    )
    for row in rows:
        pool[row["offer_id"]] = {"name": row["offer_name"], "total": row["total"], "assigned": 0}
    for licenses in CustomerUser.objects.filter(customer=customer).values_list(
        "licenses", flat=True
    ):
        for offer_id in licenses:
            if offer_id in pool:
                pool[offer_id]["assigned"] += 1
    for entry in pool.values():
        entry["available"] = max(0, entry["total"] - entry["assigned"])
    return pool


@audit.refusals("license.assign")
def license_assign(*, actor, customer_user, offer_id, assign: bool = True) -> CustomerUser:
    """Assign or remove a licence (CU-4; CU-6: needs License or User Administrator via GDAP)."""
    customer = customer_user.customer
    with transaction.atomic():
        _require_tenant_manager(actor, customer, hooks.ASSIGN_LICENSES)
        # Lock the customer's users so two assignments can't overrun the seat count.
        users = list(CustomerUser.objects.select_for_update().filter(customer=customer))
        user = next((u for u in users if u.pk == customer_user.pk), None)
        if user is None:
            raise InvalidInput("No such user.")
        if assign:
            if offer_id in user.licenses:
                return user
            pool = license_pool(customer).get(offer_id)
            if pool is None or pool["assigned"] >= pool["total"]:
                raise LicenseUnavailable()
            user.licenses = [*user.licenses, offer_id]
        else:
            if offer_id not in user.licenses:
                return user
            user.licenses = [x for x in user.licenses if x != offer_id]
        user.save(update_fields=["licenses"])
        audit.record(
            actor=actor,
            operation="license.assign" if assign else "license.unassign",
            customer=customer,
            obj=user,
            new_state=offer_id,
            detail=user.email,
        )
    return user


@audit.refusals("service_request.create")
def service_request_create(*, actor, customer, title, description, severity="normal"):
    require_role(actor, *MANAGE_ROLES)
    if relationship_of(actor.partner, customer) is None:
        raise NotIndirectCustomer("You have no relationship with this customer.")
    if not title or not description:
        raise InvalidInput("Enter a title and a description.")
    if severity not in ServiceRequestSeverity.values:
        raise InvalidInput("Choose a severity.")
    with transaction.atomic():
        req = ServiceRequest.objects.create(
            customer=customer,
            partner=actor.partner,
            title=title[:200],
            description=description,
            severity=severity,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            operation="service_request.create",
            customer=customer,
            obj=req,
            new_state=req.status,
            detail=req.title,
        )
    return req


@audit.refusals("service_request.close")
def service_request_close(*, actor, service_request) -> ServiceRequest:
    require_role(actor, *MANAGE_ROLES)
    with transaction.atomic():
        req = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        if req.partner_id != actor.partner_id:
            raise NotIndirectCustomer("This service request is not yours.")
        apply_transition(
            req,
            SERVICE_REQUEST_TRANSITIONS,
            ServiceRequestStatus.CLOSED,
            actor=actor,
            operation="service_request.close",
            customer=req.customer,
            detail=req.title,
            closed_at=clock.now(),
        )
    return req


# --- MCA (MCA-2) -------------------------------------------------------------------------------


@audit.refusals("mca.attest")
def mca_attest(
    *, actor, customer, signatory_name, signatory_email, accepted_on: date
) -> McaAcceptance:
    """Partner attestation of the MCA: Admin agent or Sales agent (or Global admin) of the
    customer's direct-bill partner or provider; never an indirect reseller; the date of
    acceptance not in the future (simulation clock). Like Partner Center's "confirm customer
    acceptance" (dateAgreed + the accepting user's name and email), see
    https://learn.microsoft.com/partner-center/developer/confirm-customer-consent-customer-agreement
    The same attestation again (same user, signatory and date) returns the one on record
    instead of storing a duplicate.
    """
    require_role(actor, *MCA_ROLES)
    partner = actor.partner
    rel = relationship_of(partner, customer)
    if rel is None or rel.kind not in (
        RelationshipKind.DIRECT,
        RelationshipKind.INDIRECT_PROVIDER,
    ):
        raise McaAttestationRefused()
    if not signatory_name or not signatory_email:
        raise InvalidInput("Enter the name and email of the person who accepted the agreement.")
    if accepted_on is None:
        raise InvalidInput("Enter the date of acceptance.")
    if accepted_on > clock.today():
        raise McaDateInFuture()
    at = clock.now()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        repeat = McaAcceptance.objects.filter(
            customer=customer,
            method=McaMethod.ATTESTATION,
            partner=partner,
            recorded_by=actor,
            signatory_name=signatory_name,
            signatory_email__iexact=signatory_email,
            accepted_on=accepted_on,
        ).first()
        if repeat is not None:
            return repeat
        acceptance = McaAcceptance.objects.create(
            customer=customer,
            method=McaMethod.ATTESTATION,
            partner=partner,
            signatory_name=signatory_name,
            signatory_email=signatory_email,
            accepted_on=accepted_on,
            recorded_by=actor,
            recorded_at=at,
            agreement_version=agreements.current(agreements.CUSTOMER_AGREEMENT).version,
        )
        audit.record(
            actor=actor,
            operation="mca.attest",
            customer=customer,
            obj=acceptance,
            new_state="attested",
            detail=f"{signatory_name} <{signatory_email}> on {accepted_on}",
            at=at,
        )
    return acceptance


@audit.refusals("mca.accept")
def mca_accept_in_admin_center(*, actor, signatory_name, signatory_email) -> McaAcceptance:
    """The customer's Global Administrator (CU-7) accepts the MCA in the admin center; valid for
    every partner (MCA-3). Accepting again returns the existing acceptance."""
    if actor is None or not actor.customer_id:
        raise RoleRequired(message="Only an administrator of the customer can accept the MCA.")
    require_customer_global_admin(actor, "accept the Microsoft Customer Agreement")
    if not signatory_name or not signatory_email:
        raise InvalidInput("Enter your name and email.")
    customer = actor.customer
    at = clock.now()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        existing = McaAcceptance.objects.filter(
            customer=customer, method=McaMethod.ADMIN_CENTER
        ).first()
        if existing is not None:
            return existing
        acceptance = McaAcceptance.objects.create(
            customer=customer,
            method=McaMethod.ADMIN_CENTER,
            partner=None,
            signatory_name=signatory_name,
            signatory_email=signatory_email,
            accepted_on=clock.today(),
            recorded_by=actor,
            recorded_at=at,
            agreement_version=agreements.current(agreements.CUSTOMER_AGREEMENT).version,
        )
        audit.record(
            actor=actor,
            operation="mca.accept",
            customer=customer,
            obj=acceptance,
            new_state="accepted_admin_center",
            detail=f"{signatory_name} <{signatory_email}>",
            at=at,
        )
    return acceptance

"""Customer tenants (CU-3, DB-2): a direct-bill partner creates its own customers; a provider
creates one naming the indirect reseller it buys through; an indirect reseller can't."""

from django.db import IntegrityError, transaction

from core import audit, clock
from core.exceptions import InvalidInput, RuleViolation
from core.models import (
    Customer,
    Partner,
    RelationshipKind,
    RelationshipOrigin,
    Tenant,
    User,
)
from core.roles import require_role
from core.services.relationships import (
    customer_relationship_build,
    customer_relationship_create,
    customer_relationship_create_many,
)
from enrollment.capabilities import (
    direct_bill_status,
    is_indirect_reseller,
    require_direct_bill_active,
)

from .. import hooks
from ..exceptions import DomainTaken, ResellerCannotCreateTenant, ResellerNotEligible
from .common import MANAGE_ROLES, acting_partner, notify_from_template


def check_can_create_customers(*, partner: Partner) -> None:
    """Raise the refusal when `partner` may not create customer tenants at all: an indirect
    reseller without an open direct-bill account (CU-3), or a direct-bill account that is not
    Active (DB-2). Providers may (naming a reseller)."""
    if partner.is_indirect_provider:
        return
    if direct_bill_status(partner=partner) in (None, "closed") and is_indirect_reseller(
        partner=partner
    ):
        raise ResellerCannotCreateTenant()
    require_direct_bill_active(partner=partner, action="create customer tenants")


def create_customer_refusal(*, partner: Partner) -> RuleViolation | None:
    """The refusal a page shows before the form when creating is refused (None when allowed)."""
    try:
        check_can_create_customers(partner=partner)
    except RuleViolation as refusal:
        return refusal
    return None


@audit.refusals("customer.create")
def customer_create(
    *,
    actor: User,
    company_name: str,
    domain: str,
    email: str,
    contact_name: str = "",
    address_line: str = "",
    city: str = "",
    postal_code: str = "",
    country: str = "US",
    phone: str = "",
    reseller: Partner | None = None,
) -> Customer:
    """Create a customer tenant. A direct-bill partner needs an Active direct-bill account
    (DB-2); an indirect reseller can't (CU-3); a provider creates it naming the reseller, and
    both get their relationship at once."""
    require_role(actor, *MANAGE_ROLES)
    partner = acting_partner(actor)
    domain = (domain or "").strip().lower()
    if not company_name or not domain or not email:
        raise InvalidInput("Enter the company name, the domain and the contact email.")
    if partner.is_indirect_provider:
        if reseller is None:
            raise InvalidInput("Name the indirect reseller the customer buys through.")
        if reseller.pk == partner.pk or not is_indirect_reseller(partner=reseller):
            raise ResellerNotEligible(
                f"{reseller.legal_name} is not an active indirect reseller, so it can't be "
                "named on a new customer."
            )
        hooks.run_reseller_checks(partner, reseller)
    else:
        check_can_create_customers(partner=partner)
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
            if partner.is_indirect_provider and reseller is not None:  # named, checked above
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
                notify_from_template(
                    partner=reseller,
                    template="customer_created_for_you",
                    url=f"/customers/{customer.pk}/",
                    provider=partner,
                    company_name=company_name,
                )
    except IntegrityError:
        raise DomainTaken(f"The domain {domain} is already in use by another tenant.") from None
    return customer

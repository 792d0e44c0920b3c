"""A transitioning reseller (Contoso-like, direct-bill), its indirect provider, and a customer
served by both, with a mix of subscriptions."""

from dataclasses import dataclass

import pytest

from core.models import RelationshipKind, RelationshipOrigin, Role
from customers.models import McaMethod, ProductType, SubscriptionStatus
from tests import factories as f


@dataclass
class Setup:
    source: object
    target: object
    customer: object
    source_agent: object
    target_agent: object
    base: object
    add_on: object
    azure: object
    legacy: object
    trial: object
    suspended: object


def link_provider(customer, provider, reseller):
    return f.RelationshipFactory(
        customer=customer,
        partner=provider,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin=RelationshipOrigin.EXTENSION,
        reseller=reseller,
        has_admin_privileges=False,
    )


def direct_customer(source, provider=None, *, mca=True, **fields):
    customer = f.CustomerFactory(**fields)
    f.RelationshipFactory(customer=customer, partner=source)
    if provider is not None:
        link_provider(customer, provider, source)
    if mca:
        f.McaAcceptanceFactory(customer=customer, method=McaMethod.ADMIN_CENTER)
    return customer


@pytest.fixture
def setup(db):
    source = f.PartnerFactory(legal_name="Contoso Test")
    f.DirectBillEnrollmentFactory(partner=source)
    target = f.ProviderFactory(legal_name="Fabrikam Test")
    customer = direct_customer(source, target)
    sub = lambda **kw: f.SubscriptionFactory(customer=customer, billing_partner=source, **kw)  # noqa: E731
    base = sub(offer_name="M365 Business Premium", quantity=12, billing_cycle="annual")
    add_on = sub(offer_name="Teams Phone", parent=base, quantity=3, billing_cycle="monthly")
    azure = sub(
        offer_name="Azure plan",
        product_type=ProductType.AZURE_PLAN,
        quantity=1,
        term_duration="",
        billing_cycle="none",
        commitment_end_date=None,
        auto_renew=False,
    )
    legacy = sub(offer_name="Office 365 E3 (legacy)", product_type=ProductType.LEGACY_LICENSE)
    trial = sub(offer_name="M365 E5 trial", is_trial=True)
    suspended = sub(offer_name="Visio", status=SubscriptionStatus.SUSPENDED)
    return Setup(
        source=source,
        target=target,
        customer=customer,
        source_agent=f.UserFactory(partner=source, roles=[Role.ADMIN_AGENT]),
        target_agent=f.UserFactory(partner=target, roles=[Role.ADMIN_AGENT]),
        base=base,
        add_on=add_on,
        azure=azure,
        legacy=legacy,
        trial=trial,
        suspended=suspended,
    )


@pytest.fixture
def create(setup):
    from transfers import services

    def do(**kwargs):
        params = dict(
            actor=setup.target_agent,
            customer=setup.customer,
            source_partner_id=setup.source.partner_id,
            customer_email=setup.customer.email,
        )
        params.update(kwargs)
        return services.transfer_create(**params)

    return do

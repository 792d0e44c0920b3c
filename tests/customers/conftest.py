"""Worlds for the customers tests: a direct-bill partner with a direct customer, and a
provider + indirect reseller + indirect customer (CU-1)."""

from dataclasses import dataclass

import pytest

from enrollment.models import DirectBillStatus
from partnerportal.models import RelationshipKind, RelationshipOrigin
from tests import factories as f


@dataclass
class Direct:
    partner: object
    customer: object
    admin: object  # Admin agent
    sales: object
    billing: object
    global_admin: object
    enrollment: object


@pytest.fixture
def direct(db):
    partner = f.PartnerFactory()
    enrollment = f.DirectBillEnrollmentFactory(partner=partner)
    customer = f.CustomerFactory()
    f.RelationshipFactory(partner=partner, customer=customer)
    return Direct(
        partner=partner,
        customer=customer,
        admin=f.UserFactory(partner=partner, roles=["admin_agent"]),
        sales=f.UserFactory(partner=partner, roles=["sales_agent"]),
        billing=f.UserFactory(partner=partner, roles=["billing_admin"]),
        global_admin=f.UserFactory(partner=partner, roles=["global_admin"]),
        enrollment=enrollment,
    )


def restrict(enrollment):
    enrollment.status = DirectBillStatus.RESTRICTED
    enrollment.save(update_fields=["status"])


@dataclass
class Indirect:
    provider: object
    reseller: object
    customer: object
    provider_admin: object
    reseller_admin: object
    reseller_sales: object


def make_indirect(provider=None, reseller=None, customer=None):
    provider = provider or f.ProviderFactory()
    reseller = reseller or f.PartnerFactory()
    if not reseller.indirect_enrollments.filter(status="active").exists():
        f.IndirectEnrollmentFactory(partner=reseller)
    customer = customer or f.CustomerFactory()
    f.RelationshipFactory(
        partner=provider,
        customer=customer,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin=RelationshipOrigin.PROVIDER_CREATED,
        reseller=reseller,
    )
    f.RelationshipFactory(
        partner=reseller,
        customer=customer,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.PROVIDER_CREATED,
    )
    return Indirect(
        provider=provider,
        reseller=reseller,
        customer=customer,
        provider_admin=f.UserFactory(partner=provider, roles=["admin_agent"]),
        reseller_admin=f.UserFactory(partner=reseller, roles=["admin_agent"]),
        reseller_sales=f.UserFactory(partner=reseller, roles=["sales_agent"]),
    )


@pytest.fixture
def indirect(db):
    return make_indirect()

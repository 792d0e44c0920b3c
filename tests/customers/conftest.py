"""Worlds for the customers tests: a direct-bill partner with a direct customer, and a
provider + indirect reseller + indirect customer (CU-1)."""

from dataclasses import dataclass

import pytest

from enrollment.models import DirectBillStatus
from tests import factories as f
from tests.factories import make_indirect


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


@pytest.fixture
def indirect(db):
    return make_indirect()

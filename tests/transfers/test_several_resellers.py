"""IR-4 in transfers: a provider serving one customer for two resellers asks each for its own
transfer, with that reseller as partner of record (TR-1)."""

import pytest

from tests import factories as f
from transfers.exceptions import PartnerOfRecordInvalid
from transfers.models import TransferRequest

from .conftest import link_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(setup):
    """Northwind, a second direct-bill partner of the customer, also served by the provider."""
    northwind = f.PartnerFactory(legal_name="Northwind Test")
    f.DirectBillEnrollmentFactory(partner=northwind)
    f.RelationshipFactory(customer=setup.customer, partner=northwind)
    link_provider(setup.customer, setup.target, northwind)
    return northwind


@pytest.mark.rule("IR-4")
@pytest.mark.rule("TR-1")
def test_ir4_each_resellers_transfer_keeps_it_partner_of_record(setup, second, create):
    """IR-4/TR-1: the source reseller is partner of record of its own transfer."""
    assert create(source_partner_id=second.partner_id).partner_of_record == second
    assert create().partner_of_record == setup.source


@pytest.mark.rule("IR-4")
@pytest.mark.rule("TR-1")
def test_ir4_partner_of_record_must_be_one_of_the_customers_resellers(setup, second, create):
    """IR-4/TR-1: a partner of record the provider doesn't serve the customer for is refused,
    naming the ones it does; a source it doesn't serve the customer for must name one."""
    outsider = f.PartnerFactory()
    with pytest.raises(PartnerOfRecordInvalid, match="Contoso Test or Northwind Test"):
        create(partner_of_record=outsider.partner_id)
    third = f.PartnerFactory(legal_name="Tailspin Test")
    f.DirectBillEnrollmentFactory(partner=third)
    f.RelationshipFactory(customer=setup.customer, partner=third)
    with pytest.raises(PartnerOfRecordInvalid, match="Name the partner of record"):
        create(source_partner_id=third.partner_id)
    assert not TransferRequest.objects.exists()
    named = create(source_partner_id=third.partner_id, partner_of_record=second.partner_id)
    assert named.partner_of_record == second

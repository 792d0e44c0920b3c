"""No refusal names another partner's business: a provider's New transfer request form that
names a source which has no relationship with the customer is refused without saying who that
partner is or what it does (TR-4), and a sandbox source is refused without its name (TR-8)."""

import pytest
from django.urls import reverse

from tests import factories as f
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db


def _post(client, setup, source_partner_id):
    return client.post(
        reverse("transfer_create"),
        {
            "customer": setup.customer.pk,
            "customer_email": setup.customer.email,
            "source_partner_id": source_partner_id,
        },
        follow=True,
    ).content.decode()


@pytest.mark.rule("TR-4")
def test_tr4_transfer_form_refusal_names_no_other_partner(client, setup):
    competitor = f.PartnerFactory(legal_name="Northwind Rival Ltd", partner_id="7654321")
    f.DirectBillEnrollmentFactory(partner=competitor)
    client.force_login(setup.target_agent)
    page = _post(client, setup, competitor.partner_id)
    assert "The PartnerID 7654321 is not one of" in page
    assert "Northwind Rival" not in page  # never another partner's name or business
    assert "has no relationship with" not in page
    assert '<a class="why-link" href="/help/rules/#TR-4"' in page
    assert not TransferRequest.objects.exists()  # nothing changed

    page = _post(client, setup, setup.source.partner_id)  # the allowed path
    assert TransferRequest.objects.filter(source=setup.source, target=setup.target).count() == 1
    assert "sent to Contoso Test" in page


@pytest.mark.rule("TR-8")
def test_tr8_sandbox_refusal_names_no_partner(client, setup):
    sandbox = f.PartnerFactory(legal_name="Sandy Sandbox Co", partner_id="7654322", is_sandbox=True)
    f.DirectBillEnrollmentFactory(partner=sandbox)
    client.force_login(setup.target_agent)
    page = _post(client, setup, sandbox.partner_id)
    assert "This transfer involves a sandbox (integration test) account" in page
    assert "Sandy Sandbox" not in page
    assert not TransferRequest.objects.exists()

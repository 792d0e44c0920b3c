"""Agreement texts (EN-7, MCA-2): viewable and downloadable (HTML), labelled a simulation,
versioned, with the acceptance records the viewer may see (AC-2)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import clock
from core.models import Role
from customers import services as customer_services
from enrollment import agreements
from enrollment.models import IndirectStatus
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

VERSION = agreements.current(agreements.PARTNER_AGREEMENT).version


def _download(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return response["Content-Disposition"], response.content.decode()


@pytest.mark.rule("EN-7")
def test_EN_7_accepting_records_the_version_and_the_text_shows_who_when_which(
    client, restricted_partner, committed
):
    restricted_partner.legal_name = "Contoso Test"
    restricted_partner.save()
    admin = f.UserFactory(partner=restricted_partner, roles=[Role.GLOBAL_ADMIN])
    with committed():
        indirect_enrollment_submit(
            actor=admin,
            partner=restricted_partner,
            legal_name=restricted_partner.legal_name,
            primary_contact_email="contact@form.example",
        )
    enrollment = indirect_enrollment_accept_agreement(actor=admin, partner=restricted_partner)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.ACTIVE
    assert enrollment.agreement_version == VERSION

    client.force_login(f.UserFactory(partner=restricted_partner, roles=[Role.BILLING_ADMIN]))
    listing = client.get(reverse("agreements")).content.decode()
    assert reverse("agreement_partner_text") in listing and f"version {VERSION}" in listing
    page = client.get(reverse("agreement_partner_text")).content.decode()
    assert "Simulation." in page and "not Microsoft" in page
    assert f"Version {VERSION}" in page
    records = page[page.index('data-testid="acceptance-records"') :]
    assert "Indirect reseller" in records and admin.email in records
    assert "Contoso Test" in records and restricted_partner.partner_id in records

    disposition, html = _download(client, "agreement_partner_download")
    assert f"partner-agreement-{VERSION}-simulated.html" in disposition
    assert html.startswith("<!DOCTYPE html>") and "Simulation." in html
    assert admin.email in html and VERSION in html
    assert "<script" not in html and "http" not in html.split("</style>")[0]  # no assets


@pytest.mark.rule("AC-2")
def test_AC_2_partner_agreement_records_are_the_partners_own(client, direct_partner):
    other = f.PartnerFactory(legal_name="Other Org")
    f.IndirectEnrollmentFactory(
        partner=other, agreement_accepted_by=f.UserFactory(partner=other, email="o@other.example")
    )
    client.force_login(f.UserFactory(partner=direct_partner, roles=[Role.SALES_AGENT]))
    page = client.get(reverse("agreement_partner_text")).content.decode()
    assert "CSP direct bill" in page  # its own direct-bill enrollment
    assert "Other Org" not in page and "o@other.example" not in page


@pytest.mark.rule("MCA-2")
@pytest.mark.rule("MCA-3")
@pytest.mark.rule("AC-2")
def test_MCA_2_MCA_3_AC_2_customer_agreement_shows_acceptances_valid_for_the_partner(
    client, direct_partner
):
    agent = f.UserFactory(partner=direct_partner, roles=[Role.ADMIN_AGENT])
    attested = f.CustomerFactory(company_name="Attested Co")
    f.RelationshipFactory(customer=attested, partner=direct_partner)
    customer_services.mca_attest(
        actor=agent,
        customer=attested,
        signatory_name="Sam Signer",
        signatory_email="sam@attested.example",
        accepted_on=clock.today() - timedelta(days=1),
    )
    admin_center = f.CustomerFactory(company_name="Admin Center Co")
    f.RelationshipFactory(customer=admin_center, partner=direct_partner)
    f.McaAcceptanceFactory(customer=admin_center, signatory_name="Ada Admin")
    # Another partner's attestation of a shared customer is its business, not ours.
    other = f.PartnerFactory(legal_name="Rival Partner")
    f.RelationshipFactory(customer=attested, partner=other)
    f.McaAcceptanceFactory(
        customer=attested, method="attestation", partner=other, signatory_name="Rita Rival"
    )
    # A customer we have no relationship with.
    stranger = f.CustomerFactory(company_name="Stranger Co")
    f.McaAcceptanceFactory(customer=stranger, signatory_name="Stan Stranger")

    client.force_login(agent)
    page = client.get(reverse("agreement_customer_text")).content.decode()
    assert "Microsoft Customer Agreement (simulated)" in page and "Simulation." in page
    assert "Sam Signer" in page and f"Attested by {direct_partner.legal_name}" in page
    assert "Ada Admin" in page and "Customer, in the admin center" in page
    assert "Rita Rival" not in page and "Rival Partner" not in page
    assert "Stranger Co" not in page and "Stan Stranger" not in page
    disposition, html = _download(client, "agreement_customer_download")
    assert "customer-agreement-" in disposition
    assert "Sam Signer" in html and "Ada Admin" in html and "Rita Rival" not in html
    version = agreements.current(agreements.CUSTOMER_AGREEMENT).version
    assert html.count(version) >= 3  # the title line and each acceptance's version


def test_customer_agreement_without_acceptances_says_so(client, direct_partner):
    client.force_login(f.UserFactory(partner=direct_partner, roles=[Role.GLOBAL_ADMIN]))
    page = client.get(reverse("agreement_customer_text")).content.decode()
    assert "None of your customers&#x27; acceptances is recorded yet." in page


@pytest.mark.rule("MCA-2")
def test_MCA_2_the_customer_admin_reads_the_text_and_its_acceptance_names_the_version(client):
    customer = f.CustomerFactory(company_name="Reader Co")
    admin = f.CustomerAdminFactory(customer=customer)
    client.force_login(admin)
    page = client.get(reverse("mca_admin_center")).content.decode()
    version = agreements.current(agreements.CUSTOMER_AGREEMENT).version
    assert 'data-testid="mca-text"' in page and "Simulation." in page and version in page
    customer_services.mca_accept(
        actor=admin, signatory_name="Rita Reader", signatory_email=admin.email
    )
    acceptance = customer.mca_acceptances.get()
    assert acceptance.agreement_version == version
    page = client.get(reverse("mca_admin_center")).content.decode()
    assert f"version {version}." in page

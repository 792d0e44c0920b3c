"""MCA-1, MCA-2, MCA-3: attestation, admin-center acceptance, status per partner."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import clock
from core.exceptions import CustomerGlobalAdminRequired, RoleRequired
from core.models import AuditEvent, Outcome
from customers import services
from customers.exceptions import McaAttestationRefused, McaDateInFuture
from customers.mca import mca_status_for, mca_valid_for
from customers.models import McaAcceptance
from tests import factories as f
from tests.factories import make_indirect


def attest(user, customer, **kw):
    data = {
        "signatory_name": "Pat Customer",
        "signatory_email": "pat@customer.example",
        "accepted_on": clock.today(),
    }
    return services.mca_attest(actor=user, customer=customer, **(data | kw))


@pytest.mark.rule("MCA-2")
def test_mca2_admin_agent_and_sales_agent_attest(direct):
    assert not mca_valid_for(customer=direct.customer, partner=direct.partner)
    attest(direct.sales, direct.customer)
    assert mca_valid_for(customer=direct.customer, partner=direct.partner)
    status = mca_status_for(customer=direct.customer, partner=direct.partner)
    assert status.valid and status.method == "attestation" and status.label.startswith("Valid")
    attest(direct.admin, direct.customer)
    assert McaAcceptance.objects.filter(customer=direct.customer).count() == 2


@pytest.mark.rule("MCA-2")
def test_mca2_billing_admin_cannot_attest(direct, client):
    with pytest.raises(RoleRequired):
        attest(direct.billing, direct.customer)
    client.force_login(direct.billing)
    assert client.get(f"/customers/{direct.customer.pk}/mca/").status_code == 403
    assert not McaAcceptance.objects.exists()


@pytest.mark.rule("MCA-2")
def test_mca2_date_in_the_future_is_refused(direct, client):
    with pytest.raises(McaDateInFuture, match="future"):
        attest(direct.admin, direct.customer, accepted_on=clock.today() + timedelta(days=1))
    client.force_login(direct.admin)
    response = client.post(
        f"/customers/{direct.customer.pk}/mca/",
        {
            "signatory_name": "Pat",
            "signatory_email": "pat@x.example",
            "accepted_on": (clock.today() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200 and "be in the future" in response.content.decode()
    assert not McaAcceptance.objects.exists()
    response = client.post(
        f"/customers/{direct.customer.pk}/mca/",
        {
            "signatory_name": "Pat",
            "signatory_email": "pat@x.example",
            "accepted_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 302 and McaAcceptance.objects.count() == 1


@pytest.mark.rule("MCA-2")
def test_mca2_indirect_reseller_cannot_attest_but_provider_can(indirect):
    with pytest.raises(McaAttestationRefused, match="Indirect resellers can't attest"):
        attest(indirect.reseller_sales, indirect.customer)
    assert not McaAcceptance.objects.exists()
    attest(indirect.provider_admin, indirect.customer)
    assert mca_valid_for(customer=indirect.customer, partner=indirect.provider)
    assert not mca_valid_for(customer=indirect.customer, partner=indirect.reseller)


@pytest.mark.rule("MCA-2")
def test_mca2_partner_without_relationship_cannot_attest(direct):
    stranger = f.UserFactory(roles=["admin_agent"])
    with pytest.raises(McaAttestationRefused):
        attest(stranger, direct.customer)


@pytest.mark.rule("MCA-3")
def test_mca3_attestation_by_direct_partner_not_valid_for_provider(direct):
    attest(direct.admin, direct.customer)
    world = make_indirect(reseller=direct.partner, customer=f.CustomerFactory())
    # the provider gets a relationship with the direct customer (e.g. an extension)
    f.RelationshipFactory(
        partner=world.provider,
        customer=direct.customer,
        kind="indirect_provider",
        origin="extension",
        reseller=direct.partner,
    )
    assert mca_valid_for(customer=direct.customer, partner=direct.partner)
    assert not mca_valid_for(customer=direct.customer, partner=world.provider)
    assert (
        mca_status_for(customer=direct.customer, partner=world.provider).label
        == "Not valid for you"
    )


@pytest.mark.rule("MCA-2")
@pytest.mark.rule("MCA-3")
def test_mca_admin_center_acceptance_holds_for_every_partner(direct, indirect, client):
    admin = f.CustomerAdminFactory(customer=direct.customer)
    client.force_login(admin)
    body = client.get("/admin-center/agreement/").content.decode()
    assert "Microsoft Customer Agreement" in body and "Summary" in body
    response = client.post(
        "/admin-center/agreement/", {"signatory_name": "Ada", "signatory_email": admin.email}
    )
    assert response.status_code == 200 and not McaAcceptance.objects.exists()  # must tick agree
    response = client.post(
        "/admin-center/agreement/",
        {"signatory_name": "Ada", "signatory_email": admin.email, "agree": "on"},
    )
    assert response.status_code == 302
    acceptance = McaAcceptance.objects.get()
    assert (acceptance.method, acceptance.partner) == ("admin_center", None)
    assert mca_valid_for(customer=direct.customer, partner=direct.partner)
    assert mca_valid_for(customer=direct.customer, partner=indirect.provider)
    assert (
        mca_status_for(customer=direct.customer, partner=direct.partner).label
        == "Accepted in admin center"
    )
    # accepting twice changes nothing
    services.mca_accept(actor=admin, signatory_name="Ada", signatory_email=admin.email)
    assert McaAcceptance.objects.count() == 1
    # partner users cannot use the admin center page, nor the service
    client.force_login(direct.admin)
    assert client.get("/admin-center/agreement/").status_code == 403
    with pytest.raises(RoleRequired):
        services.mca_accept(actor=direct.admin, signatory_name="x", signatory_email="x@x.example")


@pytest.mark.rule("CU-7")
def test_cu7_only_a_global_administrator_accepts_the_mca_in_the_admin_center(direct, client):
    plain = f.CustomerPlainUserFactory(customer=direct.customer)
    data = {"signatory_name": "Una User", "signatory_email": plain.email, "agree": "on"}
    with pytest.raises(CustomerGlobalAdminRequired, match="accept the Microsoft Customer"):
        services.mca_accept(actor=plain, signatory_name="Una User", signatory_email=plain.email)
    client.force_login(plain)
    page = client.get("/admin-center/agreement/").content.decode()
    assert "Summary" in page  # sees the agreement
    assert 'data-testid="decision-refusal"' in page and 'type="submit" disabled' in page
    response = client.post("/admin-center/agreement/", data)
    assert response.status_code == 200
    assert "Only a Global Administrator of" in response.content.decode()
    assert not McaAcceptance.objects.exists()
    assert AuditEvent.objects.filter(operation="mca.accept", outcome=Outcome.REFUSED).count() == 2
    admin = f.CustomerAdminFactory(customer=direct.customer)
    client.force_login(admin)
    assert 'type="submit" disabled' not in client.get("/admin-center/agreement/").content.decode()
    data["signatory_email"] = admin.email
    assert client.post("/admin-center/agreement/", data).status_code == 302
    assert McaAcceptance.objects.get().recorded_by == admin


@pytest.mark.rule("MCA-1")
def test_mca1_list_and_page_show_mca_state_per_partner(direct, client):
    other = f.CustomerFactory(company_name="Zeta Admin Center")
    f.RelationshipFactory(partner=direct.partner, customer=other)
    f.McaAcceptanceFactory(customer=other)
    client.force_login(direct.sales)
    body = client.get("/customers/").content.decode()
    assert "Not valid for you" in body and "Accepted in admin center" in body
    attest(direct.sales, direct.customer)
    body = client.get("/customers/").content.decode()
    assert "Valid for you (attested)" in body
    body = client.get(f"/customers/{direct.customer.pk}/").content.decode()
    assert "Valid for you (attested)" in body


@pytest.mark.rule("AC-2")
def test_AC_2_customer_admin_downloads_the_agreement_it_accepted_only_its_own(direct, client):
    """The admin center offers the agreement text its organisation accepted, with the
    acceptance record, as one HTML file; another customer's acceptance (and a partner's
    attestation of its own customer) is not found; partner users are not customer admins."""
    admin = f.CustomerAdminFactory(customer=direct.customer)
    services.mca_accept(actor=admin, signatory_name="Ada Signer", signatory_email=admin.email)
    mine = McaAcceptance.objects.get(customer=direct.customer)
    url = reverse("mca_admin_center_download", args=[mine.pk])
    client.force_login(admin)
    page = client.get(reverse("mca_admin_center")).content.decode()
    assert 'data-testid="mca-download"' in page and url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="customer-agreement-{mine.agreement_version}-simulated.html"'
    )
    body = response.content.decode()
    assert "Microsoft Customer Agreement (simulated)" in body
    assert f"Version {mine.agreement_version}" in body and "In the admin center" in body
    assert f"Ada Signer &lt;{admin.email}&gt;" in body
    assert direct.customer.company_name in body

    other = f.McaAcceptanceFactory(customer=f.CustomerFactory(company_name="Another Customer"))
    response = client.get(reverse("mca_admin_center_download", args=[other.pk]))
    assert response.status_code == 404 and "Another Customer" not in response.content.decode()
    attestation = attest(direct.sales, direct.customer)
    assert (
        client.get(reverse("mca_admin_center_download", args=[attestation.pk])).status_code == 404
    )

    client.force_login(direct.admin)
    assert client.get(url).status_code == 403

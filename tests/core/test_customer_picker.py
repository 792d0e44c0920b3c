"""The customer picker: its JSON lookup (partner-scoped, role-checked, one page) and the text
box that works without JavaScript (the form resolves what was typed, or says why it can't)."""

import pytest
from django.urls import reverse

from core.customer_picker import PICKER_SIZE
from relationships.models import GdapRelationship
from tests import factories as f
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db

LOOKUP = "/lookup/customers/"


@pytest.fixture
def book():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    names = ["Contoso Hotels", "Contoso Bank", "Falcon Contoso", "Northwind Traders"]
    customers = {}
    for name in names:
        customer = f.CustomerFactory(
            company_name=name, tenant__domain=name.lower().replace(" ", "") + ".example"
        )
        f.RelationshipFactory(customer=customer, partner=partner)
        customers[name] = customer
    stranger = f.CustomerFactory(company_name="Contoso Foreign", tenant__domain="cf.example")
    f.RelationshipFactory(customer=stranger, partner=f.PartnerFactory())
    return partner, customers, stranger


def _names(response):
    assert response.status_code == 200
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.rule("AC-2")
def test_lookup_finds_own_customers_by_name_or_domain_prefix_first_AC2(client, book):
    partner, customers, _stranger = book
    client.force_login(f.UserFactory(partner=partner, roles=["sales_agent"]))
    # Names starting with the text first, then those containing it; never another's customer.
    assert _names(client.get(LOOKUP, {"q": "contoso"})) == [
        "Contoso Bank",
        "Contoso Hotels",
        "Falcon Contoso",
    ]
    assert _names(client.get(LOOKUP, {"q": "northwindtraders.ex"})) == ["Northwind Traders"]
    assert _names(client.get(LOOKUP, {"q": "cf.example"})) == []
    assert _names(client.get(LOOKUP, {"q": "   "})) == []
    item = client.get(LOOKUP, {"q": "bank"}).json()["items"][0]
    bank = customers["Contoso Bank"]
    assert item == {"id": bank.pk, "name": "Contoso Bank", "domain": bank.tenant.domain}


@pytest.mark.rule("AC-1")
def test_lookup_is_for_partner_users_only_AC1(client, book):
    partner, customers, _ = book
    client.force_login(f.CustomerAdminFactory(customer=customers["Contoso Bank"]))
    assert client.get(LOOKUP, {"q": "contoso"}).status_code == 403
    client.force_login(f.StaffFactory())
    assert client.get(LOOKUP, {"q": "contoso"}).status_code == 403
    client.logout()
    assert client.get(LOOKUP, {"q": "contoso"}).status_code == 302
    client.force_login(f.UserFactory(partner=partner))
    assert client.post(LOOKUP, {"q": "contoso"}).status_code == 405
    assert client.get(LOOKUP, {"q": "contoso", "scope": "nope"}).status_code == 404


def test_lookup_answers_one_page_at_most(client, book):
    partner, _, _ = book
    for i in range(PICKER_SIZE + 5):
        f.RelationshipFactory(partner=partner, customer=f.CustomerFactory(company_name=f"Bulk {i}"))
    client.force_login(f.UserFactory(partner=partner))
    assert len(_names(client.get(LOOKUP, {"q": "bulk"}))) == PICKER_SIZE


@pytest.mark.rule("GD-1")
@pytest.mark.rule("MV-5")
def test_gdap_scope_leaves_out_extension_only_customers_GD1_MV5(client, book):
    partner, customers, _ = book
    provider = f.ProviderFactory()
    f.DirectBillEnrollmentFactory(partner=provider)
    reached = customers["Northwind Traders"]
    f.RelationshipFactory(
        customer=reached,
        partner=provider,
        kind="indirect_provider",
        reseller=partner,
        origin="extension",
        has_admin_privileges=False,
    )
    client.force_login(f.UserFactory(partner=provider, roles=["admin_agent"]))
    assert _names(client.get(LOOKUP, {"q": "north"})) == ["Northwind Traders"]
    assert _names(client.get(LOOKUP, {"q": "north", "scope": "gdap"})) == []
    page = client.get(reverse("gdap_request"))
    assert b'data-customer-lookup="/lookup/customers/?scope=gdap"' in page.content
    response = client.post(
        reverse("gdap_request"),
        {"customer": "Northwind Traders", "roles": ["directory_readers"], "duration_days": 5},
    )
    assert "No customer of yours matches" in response.content.decode()
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("TR-4")
def test_the_box_works_without_javascript_TR4(client, book):
    """The transfer form resolves a typed id, domain, "Name (domain)" or unique part of a name;
    nothing or several matches is a clear error and nothing is created."""
    partner, customers, stranger = book
    client.force_login(f.UserFactory(partner=partner, roles=["admin_agent"]))
    url = reverse("transfer_create")
    page = client.get(url).content.decode()
    assert '<select name="customer"' not in page and '<input type="text" name="customer"' in page
    assert 'data-customer-picker=""' in page and "/static/js/customer-picker.js" in page

    def post(text):
        return client.post(
            url, {"customer": text, "customer_email": "it@x.example", "source_partner_id": "1"}
        )

    for text, expected in [
        ("contoso", "3 customers match “contoso”: Contoso Bank (contosobank.example), "),
        ("zzz", "No customer of yours matches “zzz”."),
        ("cf.example", "No customer of yours matches “cf.example”."),
        (str(stranger.pk), f"No customer of yours matches “{stranger.pk}”."),
    ]:
        response = post(text)
        assert response.status_code == 200
        assert expected in response.content.decode()
    assert not TransferRequest.objects.exists()

    from transfers.forms import TransferCreateForm

    bank = customers["Contoso Bank"]
    for text in (
        str(bank.pk),
        "contosobank.example",
        "Contoso Bank (contosobank.example)",
        "contoso bank",
        "BANK",
    ):
        form = TransferCreateForm(
            {"customer": text, "customer_email": "it@x.example", "source_partner_id": "123456"},
            partner=partner,
        )
        assert form.is_valid(), (text, form.errors)
        assert form.cleaned_data["customer"] == bank


def test_audit_log_filters_by_a_typed_customer(client, book):
    partner, customers, _ = book
    for customer in customers.values():
        f.AuditEventFactory(partner=partner, customer=customer, operation="customer.create")
    client.force_login(f.UserFactory(partner=partner))
    page = client.get(reverse("audit_log"), {"customer": "hotels"})
    assert [e.customer for e in page.context["page"]] == [customers["Contoso Hotels"]]
    page = client.get(reverse("audit_log"), {"customer": str(customers["Contoso Bank"].pk)})
    assert [e.customer for e in page.context["page"]] == [customers["Contoso Bank"]]
    page = client.get(reverse("audit_log"), {"customer": "contoso"})
    assert "3 customers match" in page.content.decode()

"""IR-4 on the customer's side of the portal: a provider serving one customer for two resellers
orders for one of them at a time, and each reseller's views show only its own (AC-2)."""

import pytest
from django.urls import reverse

from core.exceptions import InvalidInput
from core.models import AuditEvent, Outcome
from customers import services
from customers.catalog import M365_BP
from customers.models import Order, OrderRequest, Subscription
from tests import factories as f
from tests.factories import make_indirect

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Fabrikam serves Adatum for Contoso and for Northwind."""
    first = make_indirect(
        provider=f.ProviderFactory(legal_name="Fabrikam Distribution"),
        reseller=f.PartnerFactory(legal_name="Contoso Cloud"),
        customer=f.CustomerFactory(company_name="Adatum Corp"),
    )
    second = make_indirect(
        provider=first.provider,
        reseller=f.PartnerFactory(legal_name="Northwind Partners"),
        customer=first.customer,
    )
    return first, second


@pytest.mark.rule("IR-4")
def test_ir4_provider_order_names_the_reseller_of_record(two, client):
    """IR-4: with two resellers, the provider's order names which one it is for; without one it
    is refused and nothing changes; the reseller's order request decides it by itself."""
    first, second = two
    with pytest.raises(InvalidInput, match="several resellers: choose the reseller"):
        services.order_submit(
            actor=first.provider_admin, customer=first.customer, offer_id=M365_BP, quantity=2
        )
    assert not Order.objects.exists() and not Subscription.objects.exists()
    assert AuditEvent.objects.filter(operation="order.submit", outcome=Outcome.REFUSED).exists()
    order = services.order_submit(
        actor=first.provider_admin,
        customer=first.customer,
        offer_id=M365_BP,
        quantity=2,
        reseller=second.reseller,
    )
    assert order.partner_of_record == second.reseller
    request = services.order_request_create(
        actor=first.reseller_admin, customer=first.customer, offer_id=M365_BP, quantity=3
    )
    order = services.order_submit(
        actor=first.provider_admin,
        customer=first.customer,
        offer_id=M365_BP,
        quantity=3,
        order_request=request,
    )
    assert order.partner_of_record == first.reseller
    assert OrderRequest.objects.get(pk=request.pk).status == "ordered"
    # The page's form: the reseller is chosen among those served; another one is 404.
    client.force_login(first.provider_admin)
    url = reverse("order_submit", args=[first.customer.pk])
    outsider = f.PartnerFactory()
    data = {"offer_id": M365_BP, "quantity": "1"}
    assert client.post(url, {**data, "reseller": outsider.pk}).status_code == 404
    assert client.post(url, {**data, "reseller": "x"}).status_code == 404
    assert Order.objects.count() == 2
    client.post(url, {**data, "reseller": first.reseller.pk})
    assert Order.objects.latest("pk").partner_of_record == first.reseller


@pytest.mark.rule("IR-4")
def test_ir4_single_reseller_order_needs_no_choice():
    """With one reseller the provider's order takes it as partner of record, as before."""
    lone = make_indirect()
    order = services.order_submit(
        actor=lone.provider_admin, customer=lone.customer, offer_id=M365_BP, quantity=1
    )
    assert order.partner_of_record == lone.reseller


@pytest.mark.rule("IR-4")
@pytest.mark.rule("AC-2")
def test_ir4_each_reseller_sees_only_its_own_order_requests_and_partners(two, client):
    first, second = two
    services.order_request_create(
        actor=second.reseller_admin, customer=first.customer, offer_id=M365_BP, quantity=7
    )
    client.force_login(first.reseller_admin)
    page = client.get(reverse("customer_detail", args=[first.customer.pk])).content.decode()
    assert "Contoso Cloud" in page and "Fabrikam Distribution" in page
    assert "Northwind Partners" not in page
    client.force_login(first.provider_admin)
    page = client.get(reverse("customer_detail", args=[first.customer.pk])).content.decode()
    assert "Northwind Partners" in page and "Contoso Cloud" in page
    assert "Order requests from your resellers" in page


@pytest.mark.rule("IR-4")
def test_ir4_home_counts_customers_not_relationships(two, client):
    first, _ = two
    client.force_login(first.provider_admin)
    counts = client.get(reverse("home")).context["relationship_counts"]
    assert counts["total"] == 1 and counts["indirect"] == 1


@pytest.mark.rule("IR-4")
@pytest.mark.rule("MV-6")
def test_ir4_api_partners_of_a_customer_show_each_caller_its_own(two, client):
    """GET /v1/customers/{id}/relationships: a reseller sees itself and its provider, never the
    other reseller; the provider sees both resellers and itself once."""
    from api import services as api_services

    first, second = two
    f.DirectBillEnrollmentFactory(partner=first.reseller)  # TX-2: API access

    def names(user):
        _token, raw = api_services.api_token_create(actor=user, name="t")
        response = client.get(
            f"/v1/customers/{first.customer.tenant_id}/relationships",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200
        return sorted((i["name"], i["relationshipType"]) for i in response.json()["items"])

    assert names(first.reseller_admin) == [
        ("Contoso Cloud", "IsIndirectResellerOf"),
        ("Fabrikam Distribution", "IsIndirectCloudSolutionProviderOf"),
    ]
    assert names(first.provider_admin) == [
        ("Contoso Cloud", "IsIndirectResellerOf"),
        ("Fabrikam Distribution", "IsIndirectCloudSolutionProviderOf"),
        ("Northwind Partners", "IsIndirectResellerOf"),
    ]

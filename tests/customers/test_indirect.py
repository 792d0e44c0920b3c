"""CU-4/CU-5: what the customer page offers per relationship type; MV-1 provider orders;
order requests, users and licences, service requests, analytics."""

import pytest

from core.models import AuditEvent
from customers import services
from customers.catalog import M365_BP
from customers.exceptions import (
    LicenseUnavailable,
    NoProviderRelationship,
    NotDirectBillCustomer,
    NotIndirectCustomer,
    OrderRequestClosed,
)
from customers.models import Order, OrderRequest, ServiceRequest, Subscription
from tests import factories as f
from tests.factories import make_indirect


@pytest.mark.rule("CU-5")
def test_cu5_direct_customer_page_shows_subscriptions_and_add_products(direct, client):
    f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner)
    client.force_login(direct.admin)
    body = client.get(f"/customers/{direct.customer.pk}/").content.decode()
    assert 'id="subs-h">Subscriptions' in body and "Add products" in body
    assert "Request an order from your provider" not in body
    # a Billing admin views but cannot buy
    client.force_login(direct.billing)
    body = client.get(f"/customers/{direct.customer.pk}/").content.decode()
    assert "Microsoft 365 Business Premium" in body and "Add products" not in body
    assert client.get(f"/customers/{direct.customer.pk}/purchase/").status_code == 403


@pytest.mark.rule("CU-5")
def test_cu5_indirect_customer_page_has_no_subscriptions_but_indirect_tasks(indirect, client):
    services.order_submit(
        actor=indirect.provider_admin, customer=indirect.customer, offer_id=M365_BP, quantity=8
    )
    client.force_login(indirect.reseller_admin)
    response = client.get(f"/customers/{indirect.customer.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Add products" not in body and 'id="subs-h"' not in body
    for text in (
        "Request an order from your provider",
        "Licenses and users",
        "Service requests",
        'data-testid="chart-seats"',
        "<svg",
    ):
        assert text in body
    assert client.get(f"/customers/{indirect.customer.pk}/purchase/").status_code == 404


@pytest.mark.rule("CU-4")
def test_cu4_reseller_cannot_purchase_for_indirect_customer(indirect):
    with pytest.raises(NotDirectBillCustomer):
        services.subscription_purchase(
            actor=indirect.reseller_admin,
            customer=indirect.customer,
            offer_id=M365_BP,
            quantity=1,
        )
    assert not Subscription.objects.filter(customer=indirect.customer).exists()


@pytest.mark.rule("CU-4")
def test_cu4_reseller_requests_order_and_provider_submits_it(indirect, client):
    client.force_login(indirect.reseller_admin)
    response = client.post(
        f"/customers/{indirect.customer.pk}/order-requests/",
        {"offer_id": M365_BP, "quantity": "15", "note": "For the new office"},
    )
    assert response.status_code == 302
    req = OrderRequest.objects.get()
    assert (req.provider, req.reseller, req.status) == (
        indirect.provider,
        indirect.reseller,
        "open",
    )
    client.force_login(indirect.provider_admin)
    body = client.get(f"/customers/{indirect.customer.pk}/").content.decode()
    assert "For the new office" in body and "Submit order" in body
    response = client.post(
        f"/customers/{indirect.customer.pk}/orders/", {"order_request": str(req.pk)}
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "ordered"
    sub = Subscription.objects.get(customer=indirect.customer)
    assert (sub.billing_partner, sub.partner_of_record, sub.quantity) == (
        indirect.provider,
        indirect.reseller,
        15,
    )
    with pytest.raises(OrderRequestClosed):
        services.order_submit(
            actor=indirect.provider_admin,
            customer=indirect.customer,
            offer_id=M365_BP,
            quantity=1,
            order_request=req,
        )
    assert Order.objects.count() == 1


@pytest.mark.rule("CU-4")
def test_cu4_direct_partner_cannot_request_orders_from_a_provider(direct):
    with pytest.raises(NotIndirectCustomer):
        services.order_request_create(
            actor=direct.admin, customer=direct.customer, offer_id=M365_BP, quantity=1
        )
    assert not OrderRequest.objects.exists()


@pytest.mark.rule("MV-1")
def test_mv1_provider_without_relationship_cannot_submit_orders(indirect, direct):
    other_provider = f.ProviderFactory()
    user = f.UserFactory(partner=other_provider, roles=["admin_agent"])
    with pytest.raises(NoProviderRelationship, match="don't have a reseller relationship"):
        services.order_submit(actor=user, customer=indirect.customer, offer_id=M365_BP, quantity=1)
    # nor for a direct-bill customer it has no relationship with
    with pytest.raises(NoProviderRelationship):
        services.order_submit(
            actor=indirect.provider_admin, customer=direct.customer, offer_id=M365_BP, quantity=1
        )
    assert not Subscription.objects.exists() and not Order.objects.exists()
    assert AuditEvent.objects.filter(operation="order.submit", outcome="refused").count() == 2


@pytest.mark.rule("MV-1")
def test_mv1_once_related_the_provider_can_order(indirect, direct):
    # MV-1: an extension-style provider relationship with the direct customer enables orders
    f.RelationshipFactory(
        partner=indirect.provider,
        customer=direct.customer,
        kind="indirect_provider",
        origin="extension",
        reseller=direct.partner,
        has_admin_privileges=False,
    )
    order = services.order_submit(
        actor=indirect.provider_admin, customer=direct.customer, offer_id=M365_BP, quantity=2
    )
    assert order.partner_of_record == direct.partner
    assert order.lines.get().subscription.billing_partner == indirect.provider


def test_users_licences_and_service_requests(indirect, client):
    services.order_submit(
        actor=indirect.provider_admin, customer=indirect.customer, offer_id=M365_BP, quantity=1
    )
    # CU-6: the customer approved GDAP with User Administrator for its reseller.
    f.ActiveGdapFactory(
        partner=indirect.reseller, customer=indirect.customer, roles=["user_administrator"]
    )
    domain = indirect.customer.domain
    client.force_login(indirect.reseller_admin)
    url = f"/customers/{indirect.customer.pk}"
    client.post(f"{url}/users/", {"display_name": "Ann", "email": f"ann@{domain}"})
    client.post(f"{url}/users/", {"display_name": "Bob", "email": f"bob@{domain}"})
    response = client.post(
        f"{url}/users/", {"display_name": "Eve", "email": "eve@elsewhere.example"}, follow=True
    )
    assert "must be in the customer" in response.content.decode()
    ann, bob = indirect.customer.tenant_users.order_by("display_name")
    client.post(f"{url}/users/{ann.pk}/licenses/", {"offer_id": M365_BP, "assign": "1"})
    ann.refresh_from_db()
    assert ann.licenses == [M365_BP]
    with pytest.raises(LicenseUnavailable):
        services.license_assign(actor=indirect.reseller_admin, customer_user=bob, offer_id=M365_BP)
    bob.refresh_from_db()
    assert bob.licenses == []
    client.post(
        f"{url}/service-requests/",
        {"title": "Mailbox issue", "description": "Cannot send", "severity": "high"},
    )
    req = ServiceRequest.objects.get()
    assert (req.partner, req.status) == (indirect.reseller, "open")
    client.post(f"{url}/service-requests/{req.pk}/close/")
    req.refresh_from_db()
    assert req.status == "closed"
    # Sales agent can view, not manage
    client.force_login(indirect.reseller_sales)
    assert client.get(f"{url}/").status_code == 200
    assert (
        client.post(f"{url}/users/", {"display_name": "X", "email": f"x@{domain}"}).status_code
        == 403
    )


def test_other_partners_cannot_touch_indirect_customer(indirect, client):
    stranger = make_indirect()
    client.force_login(stranger.reseller_admin)
    url = f"/customers/{indirect.customer.pk}"
    assert client.get(f"{url}/").status_code == 404
    assert (
        client.post(f"{url}/order-requests/", {"offer_id": M365_BP, "quantity": "1"}).status_code
        == 404
    )
    assert client.post(f"{url}/orders/", {"offer_id": M365_BP, "quantity": "1"}).status_code == 404
    client.force_login(indirect.provider_admin)
    other_request = OrderRequest.objects.create(
        customer=stranger.customer,
        reseller=stranger.reseller,
        provider=stranger.provider,
        offer_id=M365_BP,
        offer_name="x",
        quantity=1,
        requested_by=stranger.reseller_admin,
        requested_at=stranger.customer.created_at,
    )
    assert (
        client.post(f"{url}/orders/", {"order_request": str(other_request.pk)}).status_code == 404
    )
    assert client.post(f"{url}/orders/", {"order_request": "abc"}).status_code == 404
    assert not Order.objects.exists()


@pytest.mark.rule("DB-2")
def test_db2_customer_page_warns_that_purchases_are_refused_while_restricted(direct, client):
    from .conftest import restrict

    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/"
    assert 'data-testid="purchase-refusal"' not in client.get(url).content.decode()
    restrict(direct.enrollment)
    body = client.get(url).content.decode()
    assert 'data-testid="purchase-refusal"' in body and "purchase new products" in body


@pytest.mark.rule("MCA-3")
def test_reseller_page_shows_mca_state_for_the_provider(indirect, client):
    client.force_login(indirect.reseller_admin)
    url = f"/customers/{indirect.customer.pk}/"
    assert "Not valid" in client.get(url).content.decode()
    f.McaAcceptanceFactory(
        customer=indirect.customer, method="attestation", partner=indirect.provider
    )
    body = client.get(url).content.decode()
    assert "Valid (attested)" in body

"""The customers list: relationship types, search, filters, pagination, constant queries,
isolation (AC-2)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.factories import make_indirect


def add_customers(partner, n, **kw):
    for _ in range(n):
        customer = f.CustomerFactory(**kw)
        f.RelationshipFactory(partner=partner, customer=customer)
        f.McaAcceptanceFactory(customer=customer)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_is_constant_query_for_10_and_100_customers(direct, client):
    client.force_login(direct.admin)
    # indirect rows too (the provider's name comes from a subquery); the partner's
    # enrollments stay the same between the two measures (the navigation depends on them)
    make_indirect(reseller=direct.partner)
    add_customers(direct.partner, 8)
    small = queries_for(client, "/customers/")
    add_customers(direct.partner, 86)
    for _ in range(4):
        make_indirect(reseller=direct.partner)
    large = queries_for(client, "/customers/")
    assert small == large
    assert large <= 12


def test_list_paginates_at_50(direct, client, django_assert_max_num_queries):
    add_customers(direct.partner, 60)
    client.force_login(direct.admin)
    with django_assert_max_num_queries(12):
        body = client.get("/customers/").content.decode()
    assert body.count('name="customer_ids"') == 50
    assert "61 in all" in body and 'rel="prev"' not in body
    page = client.get("/customers/").context["page"]
    body = client.get("/customers/" + page.next_url).content.decode()
    assert body.count('name="customer_ids"') == 11
    assert 'rel="next"' not in body and 'rel="prev"' in body
    assert client.get("/customers/?page=abc").status_code == 200  # the old parameter: ignored


@pytest.mark.rule("CU-1")
def test_list_shows_relationship_type_search_and_type_filter(direct, client):
    world = make_indirect(reseller=direct.partner)
    world.customer.company_name = "Indigo Indirect"
    world.customer.save()
    client.force_login(direct.sales)
    body = client.get("/customers/").content.decode()
    assert "Direct-bill" in body
    assert f"Indirect via {world.provider.legal_name}" in body
    body = client.get("/customers/?type=direct").content.decode()
    assert "Indigo Indirect" not in body and direct.customer.company_name in body
    body = client.get("/customers/?type=indirect_reseller").content.decode()
    assert "Indigo Indirect" in body and direct.customer.company_name not in body
    body = client.get("/customers/?q=indigo").content.decode()
    assert "Indigo Indirect" in body and direct.customer.company_name not in body
    assert client.get("/customers/?type=bogus&q=" + "x" * 500).status_code == 200
    # the provider sees the reseller
    client.force_login(world.provider_admin)
    body = client.get("/customers/").content.decode()
    assert f"Indirect provider for {direct.partner.legal_name}" in body


@pytest.mark.rule("AC-2")
def test_list_shows_only_own_customers_and_ended_relationships_disappear(direct, client):
    stranger = f.CustomerFactory(company_name="Stranger Things Ltd")
    f.RelationshipFactory(customer=stranger)
    ended = f.CustomerFactory(company_name="Ended Co")
    f.RelationshipFactory(customer=ended, partner=direct.partner, ended_at=ended.created_at)
    client.force_login(direct.admin)
    body = client.get("/customers/").content.decode()
    assert direct.customer.company_name in body
    assert "Stranger Things" not in body and "Ended Co" not in body
    assert client.get(f"/customers/{ended.pk}/").status_code == 404


def test_list_has_bulk_action_area_and_nav_item(direct, client):
    client.force_login(direct.billing)
    body = client.get("/customers/").content.decode()
    assert 'data-testid="bulk-actions"' in body and 'id="customers-bulk"' in body
    assert 'href="/customers/"' in body  # left navigation "Customers"
    assert "Add customer" not in body  # billing admin can't create


def test_customer_admin_and_anonymous_cannot_see_list(direct, client):
    assert client.get("/customers/").status_code == 302
    client.force_login(f.CustomerAdminFactory(customer=direct.customer))
    assert client.get("/customers/").status_code == 403


def test_customer_page_queries_do_not_grow_with_subscriptions(direct, client):
    client.force_login(direct.admin)
    for _ in range(3):
        base = f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner)
        f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner, parent=base)
    small = queries_for(client, f"/customers/{direct.customer.pk}/")
    for _ in range(20):
        base = f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner)
        f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner, parent=base)
    assert queries_for(client, f"/customers/{direct.customer.pk}/") == small


def test_indirect_customer_page_queries_do_not_grow(indirect, client):
    from customers import services
    from customers.catalog import M365_BP

    client.force_login(indirect.reseller_admin)
    services.order_submit(
        actor=indirect.provider_admin, customer=indirect.customer, offer_id=M365_BP, quantity=3
    )
    small = queries_for(client, f"/customers/{indirect.customer.pk}/")
    for _ in range(10):
        services.order_submit(
            actor=indirect.provider_admin, customer=indirect.customer, offer_id=M365_BP, quantity=3
        )
    assert queries_for(client, f"/customers/{indirect.customer.pk}/") == small


def _row(body, name):
    """The list's <tr> of the customer called `name`."""
    start = body.rindex("<tr>", 0, body.index(f">{name}</a>"))
    return body[start : body.index("</tr>", start)]


@pytest.mark.rule("MCA-3")
def test_list_mca_column_is_per_partner_and_changes_show_at_once(direct, client):
    """Admin-center acceptance counts for everyone, an attestation only for the partner that
    made it. Rows are rendered once per content: a change is a new row at once."""
    names = ["Admin Center Co", "Attested By Us Co", "Attested By Others Co", "No Mca Co"]
    customers = {name: f.CustomerFactory(company_name=name) for name in names}
    for customer in customers.values():
        f.RelationshipFactory(partner=direct.partner, customer=customer)
    f.McaAcceptanceFactory(customer=customers["Admin Center Co"])
    for name, partner in (("Attested By Us Co", direct.partner), ("Attested By Others Co", None)):
        f.McaAcceptanceFactory(
            customer=customers[name],
            method="attestation",
            partner=partner or f.PartnerFactory(),
        )
    client.force_login(direct.admin)
    body = client.get("/customers/").content.decode()
    assert "Accepted in admin center" in _row(body, "Admin Center Co")
    assert "Valid for you (attested)" in _row(body, "Attested By Us Co")
    assert "Not valid for you" in _row(body, "Attested By Others Co")
    assert "Not valid for you" in _row(body, "No Mca Co")
    f.McaAcceptanceFactory(customer=customers["No Mca Co"])
    customers["Admin Center Co"].company_name = "Renamed Co"
    customers["Admin Center Co"].save()
    body = client.get("/customers/").content.decode()
    assert "Accepted in admin center" in _row(body, "No Mca Co")
    assert "Accepted in admin center" in _row(body, "Renamed Co")
    assert "Admin Center Co" not in body

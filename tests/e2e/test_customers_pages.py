"""Customers pages in the browser with the demo world (CU-4, CU-5, MCA-1)."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.rule("CU-5")
def test_direct_customer_page_shows_subscriptions_and_add_products(page, sign_in, demo_world):
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.get_by_test_id("customers-table")).to_contain_text("Adatum Corporation")
    expect(page.get_by_test_id("bulk-actions")).to_be_visible()
    page.get_by_role("searchbox", name="Search").fill("adatum")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Adatum Corporation").click()
    expect(page.get_by_role("heading", name="Subscriptions", exact=True)).to_be_visible()
    expect(page.get_by_test_id("subscriptions-table")).to_contain_text(
        "Microsoft 365 Business Premium"
    )
    expect(page.get_by_test_id("mca-status")).to_be_visible()
    page.get_by_role("link", name="Add products").click()
    page.get_by_label("Product", exact=True).select_option(label="Microsoft 365 E3")
    page.get_by_label("Quantity").fill("4")
    page.get_by_role("button", name="Buy").click()
    expect(page.locator(".message-success")).to_contain_text("Purchased Microsoft 365 E3 ×4")
    expect(page.get_by_test_id("subscriptions-table")).to_contain_text("Microsoft 365 E3")


@pytest.mark.rule("CU-5")
@pytest.mark.rule("CU-4")
def test_indirect_customer_page_offers_order_request_and_analytics(page, sign_in, demo_world):
    from core import clock
    from core.models import (
        Customer,
        CustomerRelationship,
        Tenant,
        User,
    )
    from customers import services
    from customers.catalog import M365_BP

    now = clock.now()
    tenant = Tenant.objects.create(name="Indigo Travel", domain="indigotravel.example")
    customer = Customer.objects.create(
        tenant=tenant, company_name="Indigo Travel", email="it@indigotravel.example"
    )
    CustomerRelationship.objects.create(
        customer=customer,
        partner=demo_world.fabrikam,
        kind="indirect_provider",
        origin="provider_created",
        reseller=demo_world.contoso,
        established_at=now,
    )
    CustomerRelationship.objects.create(
        customer=customer,
        partner=demo_world.contoso,
        kind="indirect_reseller",
        origin="provider_created",
        established_at=now,
    )
    services.order_submit(
        actor=User.objects.get(email="admin@fabrikam.example"),
        customer=customer,
        offer_id=M365_BP,
        quantity=20,
    )

    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto("/customers/?type=indirect_reseller")
    expect(page.get_by_test_id("customers-table")).to_contain_text(
        "Indirect via Fabrikam Distribution"
    )
    page.get_by_role("link", name="Indigo Travel").click()
    expect(page.get_by_role("heading", name="Request an order from your provider")).to_be_visible()
    expect(page.get_by_role("heading", name="Subscriptions", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Add products")).to_have_count(0)
    expect(page.get_by_test_id("chart-seats").locator("svg rect")).to_have_count(1)
    expect(page.get_by_test_id("chart-spend")).to_be_visible()
    page.get_by_label("Product", exact=True).select_option(label="Microsoft 365 Business Basic")
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Request order").click()
    expect(page.locator(".message-success")).to_contain_text("was sent to Fabrikam Distribution")

    # the provider sees the request and submits the order
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", name="Order requests from Contoso Cloud")).to_be_visible()
    page.locator("#order-requests").get_by_role("button", name="Submit order").click()
    expect(page.locator(".message-success")).to_contain_text("submitted for Indigo Travel")
    expect(page.get_by_test_id("orders-table")).to_contain_text("Microsoft 365 Business Basic ×5")

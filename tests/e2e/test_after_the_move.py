"""Life after the move (IR-1, IR-2, IR-3, CU-4, CU-5), in the browser: from the demo world at
stage "transferred" (every subscription moved to Fabrikam, built through the services), Contoso's
Global admin closes direct-bill on the Transition page; then Contoso works as an indirect
reseller: its customers list and pages say indirect, the subscriptions Fabrikam bills are shown
read-only, it asks Fabrikam for an order, Fabrikam fulfils it from its own queue, and Contoso
sees it fulfilled.
"""

import re

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def transferred(transactional_db):
    from demo import stages

    return stages.advance_to("transferred")


@pytest.mark.rule("IR-1")
@pytest.mark.rule("IR-2")
@pytest.mark.rule("IR-3")
def test_close_then_work_as_an_indirect_reseller(page, sign_in, transferred):
    from core.models import CustomerRelationship
    from customers.models import OrderRequest, Subscription

    cast = transferred
    count = len(cast.customers)
    nav = page.get_by_role("navigation", name="Workspaces")

    # The Global admin closes direct-bill from the Transition page.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    page.get_by_label("Reason").fill("Transition complete")
    page.get_by_role("button", name="Close direct-bill enrollment").click()
    expect(page.get_by_test_id("direct-bill-status")).to_have_text(re.compile("Closed"))
    expect(page.get_by_test_id("transition-done")).to_contain_text("Transition complete")
    expect(page.get_by_role("heading", name="Next steps")).to_have_count(0)

    # IR-1: every customer is Contoso's indirect customer, everywhere.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    expect(page.locator("body")).to_contain_text(f"0 direct-bill · {count} indirect")
    nav.get_by_role("link", name="Customers").click()
    rows = page.locator("tbody tr", has_text="Indirect via Fabrikam Distribution")
    expect(rows).to_have_count(min(count, 50))
    expect(page.locator("tbody", has_text="Direct-bill")).to_have_count(0)
    page.get_by_role("link", name="Adatum Corporation").click()
    expect(page.get_by_test_id("relationship-type")).to_contain_text("Indirect reseller")
    expect(page.get_by_role("link", name="Add products")).to_have_count(0)  # CU-5
    # IR-2: what Fabrikam bills, read-only, with Contoso as partner of record.
    billed = page.get_by_test_id("provider-subscriptions")
    expect(billed).to_contain_text("billed by Fabrikam Distribution")
    expect(billed.get_by_role("button")).to_have_count(0)
    # IR-3: what Contoso billed shows as Transferred, not Deleted.
    history = page.get_by_test_id("direct-history")
    expect(history.get_by_test_id("transferred").first).to_be_visible()
    expect(history).to_contain_text("to Fabrikam Distribution")

    # IR-2: Contoso asks Fabrikam to order.
    page.get_by_label("Product", exact=True).select_option(label="Microsoft 365 E3")
    page.get_by_label("Quantity").fill("7")
    page.get_by_label("Note").fill("Seven new starters")
    page.get_by_role("button", name="Request order").click()
    expect(page.locator(".message-success")).to_contain_text("was sent to Fabrikam Distribution")
    request = OrderRequest.objects.get()
    assert request.status == "open" and request.reseller == cast.contoso

    # Fabrikam fulfils it from its own queue.
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Order requests").click()
    row = page.get_by_test_id("order-request-row").filter(has_text="Adatum Corporation")
    expect(row).to_contain_text("Contoso Cloud")
    expect(row).to_contain_text("Seven new starters")
    row.get_by_role("button", name="Fulfil: order 7").click()
    expect(page.locator(".message-success")).to_contain_text("Order #")
    request.refresh_from_db()
    assert request.status == "ordered"
    sub = request.order.lines.get().subscription
    assert (sub.billing_partner, sub.partner_of_record, sub.quantity) == (
        cast.fabrikam,
        cast.contoso,
        7,
    )

    # Contoso sees it fulfilled, in its list and on the customer page.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Order requests").click()
    expect(page.get_by_test_id("order-request-row").first).to_contain_text(
        "Ordered by the provider"
    )
    page.get_by_role("link", name="Adatum Corporation").click()
    expect(page.get_by_test_id("provider-subscriptions")).to_contain_text("7")
    assert (
        not CustomerRelationship.objects.active()
        .filter(partner=cast.contoso, kind="direct")
        .exists()
    )
    assert not Subscription.objects.filter(
        billing_partner=cast.contoso, status__in=["active", "suspended"]
    ).exists()

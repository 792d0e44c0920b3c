"""The demo world's whole transition, end to end: restrict → enroll → accept agreement → accept
Fabrikam's invitation → extend all customers → migrate legacy subscriptions → fix MCA → bulk
transfer requests by Fabrikam → Contoso submits them → everything complete → close direct-bill →
Contoso Cloud is an indirect reseller whose customers are billed by Fabrikam.

Every step is driven through the pages and the support admin, as the people involved would
click them; the database is only read, to check the outcome.
"""

import re

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _prepare_transition(page, sign_in, world, checkpoint):
    """Steps 1–7 through the pages, as the people involved would click them; `checkpoint(step)`
    after each step the Transition page counts. Returns the sandbox TX-2 must remove."""
    from core import clock
    from core.models import OutboundEmail
    from customers.mca import mca_valid_for
    from customers.models import LEGACY_TYPES, Subscription
    from enrollment.models import Sandbox

    nav = page.get_by_role("navigation", name="Workspaces")

    # 1. Contoso's Global admin has a sandbox (TX-2 removes it at the end).
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Account settings").click()
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("button", name="Create sandbox").click()
    expect(page.locator(".message-success")).to_contain_text("Created")

    # 2. Support restricts the direct-bill account (DB-1).
    sign_in("support@portal.example", DEMO_PASSWORD)
    page.goto("/admin/enrollment/directbillenrollment/")
    page.locator("tr", has_text="Contoso Cloud").locator("input.action-select").check()
    page.locator("select[name=action]").select_option(
        label="Restrict selected direct-bill accounts"
    )
    page.locator("button[name=index]").click()
    page.get_by_label("Reason").fill("Moving to the indirect model.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("Restricted: 1.")

    # 3. The Global admin enrolls, the worker approves, the agreement is accepted (EN-1..EN-8).
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Account settings").click()
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Get started").click()
    page.get_by_role("button", name="Enroll now").click()
    page.get_by_role("button", name="Accept agreement").click()
    expect(nav.get_by_role("link", name="Indirect providers")).to_be_visible()

    # 4. Fabrikam invites Contoso; its Global admin follows the emailed link and accepts (PV-2).
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Resellers").click()
    page.get_by_role("link", name="Invite a reseller").click()
    page.get_by_label("Reseller's PartnerID").fill("1234567")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to Contoso Cloud")
    email = OutboundEmail.objects.filter(to__contains=["globaladmin@contoso.example"]).latest("id")
    link = re.search(r"(/invitations/provider/\S+/)", email.body).group(1)
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto(link)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_test_id("providers")).to_contain_text("Accepted")

    # 5. The Admin agent extends every customer to Fabrikam in one bulk job (MV-2..MV-6).
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto("/customers/")
    page.get_by_label("Select all customers on this page").check()
    page.get_by_role("button", name="Extend reseller relationships to an indirect provider").click()
    page.get_by_label("Indirect provider", exact=True).select_option(
        label="Fabrikam Distribution (US)"
    )
    page.get_by_label("Consent given by").fill("Each customer's IT lead")
    page.get_by_label("Consent given on").fill(clock.today().isoformat())
    page.get_by_label("How consent was obtained").fill("Signed consent letters")
    page.get_by_label("I consent to sharing").check()
    page.get_by_role("button", name="Extend relationships").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("aria-valuenow", "100")
    checkpoint("extended")

    # 6. Legacy subscriptions are migrated to new commerce from each customer's page (TR-5).
    legacy = Subscription.objects.filter(
        billing_partner=world.contoso, product_type__in=LEGACY_TYPES, status="active"
    )
    for customer_id in sorted(set(legacy.values_list("customer_id", flat=True))):
        page.goto(f"/customers/{customer_id}/")
        while page.get_by_test_id("migrate").count():  # each asks first (a required tick)
            migrate = page.get_by_test_id("migrate").first
            migrate.locator("summary").click()
            migrate.get_by_label("Migrate it: the legacy subscription ends").check()
            migrate.get_by_role("button", name="Migrate to new commerce").click()
            expect(page.locator(".message-success")).to_contain_text("migrated to new commerce")
    checkpoint("migrated")

    # 7. Fabrikam attests the MCA where Contoso's attestation doesn't carry over (MCA-3).
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    for customer in world.customers:
        if mca_valid_for(customer=customer, partner=world.fabrikam):
            continue
        page.goto(f"/customers/{customer.pk}/mca/")
        page.get_by_label("Signatory name").fill(f"{customer.company_name} CIO")
        page.get_by_label("Signatory email").fill(customer.email)
        page.get_by_label("Date of acceptance").fill(clock.today().isoformat())
        page.get_by_role("button", name="Attest").click()
        expect(page.locator(".message-success")).to_contain_text("attestation is recorded")
    checkpoint("mca")
    return Sandbox.objects.get(partner=world.contoso)


def test_demo_world_transition_journey(page, sign_in, demo_world):
    from customers.models import Subscription
    from enrollment.capabilities import direct_bill_status, is_indirect_reseller
    from transfers.models import TransferRequest

    world = demo_world
    count = len(world.customers)

    # The Transition page reflects each step.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Transition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transition")
    expect(page.get_by_role("progressbar", name="With an indirect provider")).to_have_attribute(
        "aria-valuenow", "0"
    )
    bars = {
        "extended": "With an indirect provider",
        "migrated": "No legacy subscription left",
        "mca": "MCA valid for the provider",
    }

    def checkpoint(step):
        sign_in("agent@contoso.example", DEMO_PASSWORD)
        page.goto("/transition/")
        expect(page.get_by_role("progressbar", name=bars[step])).to_have_attribute(
            "aria-valuenow", "100"
        )

    sandbox = _prepare_transition(page, sign_in, world, checkpoint)

    # Every customer is now ready for transfer.
    page.goto("/transition/")
    page.get_by_label("Show").select_option("ready")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("readiness").locator("tbody tr")).to_have_count(count)
    expect(page.get_by_test_id("blocking")).to_contain_text("direct-bill subscription(s) are left")

    # Fabrikam requests transfers for all of Contoso's ready customers in one action.
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Transfers").click()
    page.get_by_role("link", name="Request transfers for a reseller's customers").click()
    page.get_by_role("button", name=f"Request {count} transfer(s) from Contoso Cloud").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text(f"{count} of {count} processed")).to_be_visible()
    expect(page.locator(".pill-refused")).to_have_count(0)
    assert TransferRequest.objects.filter(status="pending").count() == count

    # Contoso (Admin agent) reviews and submits all pending requests in one action.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    expect(page.get_by_test_id("submit-all-link").locator("xpath=..")).to_contain_text(
        f"{count} pending"
    )
    page.get_by_test_id("submit-all-link").click()
    page.get_by_role("button", name=f"Submit all {count} request(s)").click()
    expect(page.get_by_text(f"{count} of {count} processed")).to_be_visible()
    expect(page.locator(".pill-refused")).to_have_count(0)

    # Everything is complete: the Transfers list and the Transition page say so.
    page.goto("/transfers/?status=complete")
    expect(page.get_by_test_id("transfers").locator("tbody tr")).to_have_count(count)
    page.goto("/transition/?filter=done")
    expect(page.get_by_test_id("readiness").locator("tbody tr")).to_have_count(count)
    expect(page.get_by_role("progressbar", name="All subscriptions transferred")).to_have_attribute(
        "aria-valuenow", "100"
    )
    expect(page.get_by_test_id("close-card")).to_contain_text("A Global admin can close")

    # The Global admin closes the direct-bill enrollment.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    page.get_by_role("button", name="Close direct-bill enrollment").click()
    expect(page.get_by_role("status")).to_contain_text("direct-bill enrollment is closed")
    expect(page.get_by_test_id("direct-bill-status")).to_have_text(re.compile("Closed"))

    # Contoso Cloud is an indirect reseller whose customers are billed by Fabrikam.
    assert direct_bill_status(partner=world.contoso) == "closed"
    assert is_indirect_reseller(partner=world.contoso)
    live = Subscription.objects.filter(
        customer__in=world.customers, status__in=["active", "suspended"]
    )
    assert not live.filter(billing_partner=world.contoso).exists()
    assert live.count() >= 2 * count  # Business Premium and an Azure plan each, at least
    assert all(
        s.billing_partner_id == world.fabrikam.pk and s.partner_of_record_id == world.contoso.pk
        for s in live
    )
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is not None  # TX-2

"""Browser journeys of issue 4: a provider invites Contoso Cloud and its Global admin accepts
(PV-2); Contoso invites a new customer through Fabrikam and the customer admin accepts (CU-2,
MV-6); a GDAP request approved by the customer expires when the clock passes its end (GD-1,
GD-2)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core import sweep
from core.models import OutboundEmail
from core.services import clock_advance
from demo.world import DEMO_PASSWORD
from enrollment.models import DirectBillEnrollment, DirectBillStatus
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _make_contoso_indirect(world):
    """Contoso transitions: support restricted its direct-bill account, and its indirect
    reseller enrollment is active (EN-7)."""
    DirectBillEnrollment.objects.filter(partner=world.contoso).update(
        status=DirectBillStatus.RESTRICTED
    )
    f.IndirectEnrollmentFactory(partner=world.contoso)


@pytest.mark.rule("PV-2")
def test_provider_invites_contoso_and_its_global_admin_accepts(
    page, sign_in, demo_world, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    _make_contoso_indirect(demo_world)

    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Resellers").click()
    page.get_by_role("link", name="Invite a reseller").click()
    page.get_by_label("Reseller's PartnerID").fill("1234567")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to Contoso Cloud")
    expect(page.get_by_test_id("resellers")).to_contain_text("Invitation sent")

    email = OutboundEmail.objects.filter(to__contains=["globaladmin@contoso.example"]).latest("id")
    link = re.search(r"(/invitations/provider/\S+/)", email.body).group(1)

    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fabrikam Distribution")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("status")).to_contain_text("You accepted Fabrikam Distribution")
    providers = page.get_by_test_id("providers")
    expect(providers).to_contain_text("Fabrikam Distribution")
    expect(providers).to_contain_text("Accepted")

    # the used link now gets a clear page (PV-3)
    page.goto(link)
    expect(page.get_by_test_id("link-problem")).to_contain_text("already used")

    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    page.goto("/providers/resellers/")
    resellers = page.get_by_test_id("resellers")
    expect(resellers).to_contain_text("Contoso Cloud")
    expect(resellers).to_contain_text("Accepted")


@pytest.mark.rule("CU-2")
@pytest.mark.rule("MV-6")
def test_contoso_invites_a_new_customer_through_fabrikam(page, sign_in, demo_world):
    _make_contoso_indirect(demo_world)
    f.PartnershipFactory(provider=demo_world.fabrikam, reseller=demo_world.contoso)
    newcomer = f.CustomerAdminFactory(
        customer=f.CustomerFactory(company_name="Trey Research"), full_name="Trey Admin"
    )

    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Workspaces")
    nav.get_by_role("link", name="Indirect providers").click()
    page.get_by_role("link", name="Invite new customers").click()
    page.get_by_label("Indirect provider").select_option(label="Fabrikam Distribution")
    page.get_by_role("button", name="Create the invitation").click()
    link = page.get_by_test_id("invitation-link").inner_text().strip()
    text = page.get_by_label("Email text")
    expect(text).to_have_value(re.compile(re.escape(link)))
    # removing the link is refused
    text.fill("Please accept our invitation.")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("alert")).to_contain_text("must keep the personalised invitation link")
    text.fill(f"Hello Trey Research, please accept: {link}")
    page.get_by_role("button", name="Copy email text").click()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_contain_text("pending until the customer answers")
    expect(page.get_by_test_id("invitations")).to_contain_text("Pending")

    sign_in(newcomer.email, f.PASSWORD)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_test_id("accept-summary")).to_contain_text(
        "Contoso Cloud becomes your indirect reseller"
    )
    page.get_by_role("button", name="Accept and authorise").click()
    table = page.get_by_test_id("partner-relationships")
    expect(table).to_contain_text("Contoso Cloud")
    expect(table).to_contain_text("Indirect reseller")
    expect(table).to_contain_text("Fabrikam Distribution")
    expect(table).to_contain_text("Indirect provider for Contoso Cloud")


@pytest.mark.rule("GD-1")
@pytest.mark.rule("GD-2")
def test_gdap_request_approved_then_expires_when_the_clock_passes_its_end(
    page, sign_in, demo_world
):
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role(
        "link", name="GDAP relationships"
    ).click()
    page.get_by_role("link", name="Request GDAP").click()
    page.get_by_role("combobox", name="Customer", exact=True).press_sequentially("adatum")
    page.get_by_role("option", name="Adatum Corporation").click()
    page.get_by_label("Relationship name").fill("Adatum onboarding")
    page.get_by_label("User Administrator").check()
    page.get_by_label("Global Administrator", exact=True).check()
    page.get_by_label("Duration (days)").fill("30")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("GDAP request sent to Adatum Corporation")
    expect(page.get_by_test_id("gdap")).to_contain_text("Approval pending")

    sign_in("admin@adatum.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role(
        "link", name="Admin relationships (GDAP)"
    ).click()
    expect(page.get_by_test_id("gdap-pending")).to_contain_text("Global Administrator")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("gdap-active")).to_contain_text("Adatum onboarding")
    page.get_by_role("navigation", name="Workspaces").get_by_role(
        "link", name="Partner relationships"
    ).click()
    expect(page.get_by_test_id("partner-relationships")).to_contain_text("Global Administrator")

    clock_advance(actor=None, delta=timedelta(days=31))
    sweep.run_sweep()

    page.goto("/admin-center/gdap/")
    expect(page.get_by_test_id("gdap-active")).to_contain_text("No active GDAP relationships")
    history = page.get_by_test_id("gdap-history")
    expect(history).to_contain_text("Adatum onboarding")
    expect(history).to_contain_text("Expired")
    page.goto("/admin-center/partners/")
    expect(page.get_by_test_id("partner-relationships")).to_contain_text("No admin permissions")

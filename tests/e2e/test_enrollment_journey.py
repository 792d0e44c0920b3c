"""The enrollment journey in a browser: support restricts Contoso Cloud in the admin (DB-1) →
its Global admin enrolls (EN-1, EN-2, DB-3) → the decision approves it (EN-4) → the agreement is
accepted (EN-7) → "Indirect providers" appears in the left navigation (EN-8)."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD
from enrollment.models import DirectBillEnrollment, IndirectResellerEnrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.rule("DB-1")
@pytest.mark.rule("EN-7")
@pytest.mark.rule("EN-8")
def test_contoso_restricted_enrolls_accepts_and_sees_indirect_providers(page, sign_in, demo_world):
    contoso = demo_world.contoso
    nav = page.get_by_role("navigation", name="Workspaces")

    # Before: Active direct-bill refuses the enrollment with the reason (DB-3).
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Account settings").click()
    page.get_by_role("link", name="Programs").click()
    expect(page.get_by_test_id("programs")).to_contain_text("Ask support to restrict")
    expect(nav.get_by_role("link", name="Indirect providers")).to_have_count(0)

    # Support restricts Contoso Cloud in the admin, with a reason (DB-1).
    sign_in("support@portal.example", DEMO_PASSWORD)
    page.goto("/admin/enrollment/directbillenrollment/")
    page.locator("tr", has_text="Contoso Cloud").locator("input.action-select").check()
    page.locator("select[name=action]").select_option(
        label="Restrict selected direct-bill accounts"
    )
    page.locator("button[name=index]").click()  # the admin's "Go"
    page.get_by_label("Reason").fill("Partner asked by phone to move to the indirect model.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("Restricted: 1.")
    assert DirectBillEnrollment.objects.get(partner=contoso).status == "restricted"

    # The Global admin enrolls: Get started → review → Enroll now.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    nav.get_by_role("link", name="Account settings").click()
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Get started").click()
    expect(page.get_by_test_id("enroll-summary")).to_contain_text("5 business days")
    expect(page.get_by_label("Legal name")).to_have_value("Contoso Cloud")
    page.get_by_role("button", name="Enroll now").click()

    # The decision task ran (eager Celery in tests): approved, agreement waiting.
    expect(page.get_by_role("heading", name="Agreements")).to_be_visible()
    expect(page.get_by_test_id("agreements")).to_contain_text("Waiting for acceptance")
    assert IndirectResellerEnrollment.objects.get(partner=contoso).status == "approved"
    expect(nav.get_by_role("link", name="Indirect providers")).to_have_count(0)

    page.get_by_role("button", name="Accept agreement").click()
    expect(page.locator(".message-success")).to_contain_text("accepted the indirect reseller")
    expect(nav.get_by_role("link", name="Indirect providers")).to_be_visible()

    # Program info shows both programs while transitioning (EN-6).
    page.get_by_role("link", name="Legal info › Program info").click()
    expect(page.get_by_test_id("program-info")).to_contain_text("Restricted")
    expect(page.get_by_test_id("program-info")).to_contain_text("Indirect reseller")

"""Browser journey of the reseller relationship extension (MV-2..MV-6): the Admin agent of the
demo world's transitioning partner extends one customer to Fabrikam from the customer's page,
then transfers the remaining customers in bulk and watches the job reach 100%."""

import re

import pytest
from playwright.sync_api import expect

from core import clock
from core.models import Customer, CustomerRelationship
from demo.world import DEMO_PASSWORD
from enrollment.models import DirectBillEnrollment
from relationships.models import RelationshipExtension
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def transitioning_world(demo_world):
    w = demo_world
    DirectBillEnrollment.objects.filter(partner=w.contoso).update(status="restricted")
    f.IndirectEnrollmentFactory(partner=w.contoso)
    f.PartnershipFactory(provider=w.fabrikam, reseller=w.contoso)
    return w


def fill_consent(page):
    page.get_by_label("Indirect provider", exact=True).select_option(
        label="Fabrikam Distribution (US)"
    )
    page.get_by_label("Consent given by").fill("Customer IT director")
    page.get_by_label("Consent given on").fill(clock.today().isoformat())
    page.get_by_label("How consent was obtained").fill("Signed consent letter, emailed")
    page.get_by_label("I consent to sharing").check()


@pytest.mark.rule("MV-2")
@pytest.mark.rule("MV-6")
def test_extend_one_customer_then_bulk_transfer_the_rest(page, sign_in, transitioning_world):
    w = transitioning_world
    adatum = Customer.objects.get(company_name="Adatum Corporation")
    sign_in("agent@contoso.example", DEMO_PASSWORD)

    # One customer, from its page.
    page.goto(f"/customers/{adatum.pk}/")
    page.get_by_role("link", name="Extend relationship to an indirect provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Extend relationship to an indirect provider"
    )
    expect(page.get_by_test_id("extension-summary")).to_contain_text(
        "The provider gets no admin privileges; if it needs GDAP, send an indirect reseller "
        "invitation instead"
    )
    expect(page.get_by_test_id("bill-to")).to_contain_text("Adatum Corporation")
    # Without the bill-to confirmation the extension is refused with the reason.
    fill_consent(page)
    page.get_by_label("I consent to sharing").uncheck()
    page.get_by_role("button", name="Extend relationship").click()
    expect(page.locator(".message-error")).to_contain_text("share the customer's bill-to")
    assert not RelationshipExtension.objects.exists()
    fill_consent(page)
    page.get_by_role("button", name="Extend relationship").click()
    expect(page.locator(".message-success")).to_contain_text(
        "Fabrikam Distribution now has a reseller relationship with Adatum Corporation"
    )
    expect(page.get_by_test_id("customer-relationships")).to_contain_text("Fabrikam Distribution")
    rel = CustomerRelationship.objects.get(customer=adatum, partner=w.fabrikam)
    assert rel.origin == "extension" and rel.has_admin_privileges is False

    # The rest in bulk, from the customers list.
    page.goto("/customers/")
    page.get_by_label("Select all customers on this page").check()
    page.get_by_role("button", name="Extend reseller relationships to an indirect provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Extend reseller relationships to an indirect provider"
    )
    fill_consent(page)
    page.get_by_role("button", name="Extend relationships").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(w.customers))
    expect(rows.filter(has_text="Adatum Corporation")).to_contain_text("Already established")
    expect(rows.filter(has_text="Established: ")).to_have_count(len(w.customers) - 1)
    expect(page.get_by_text(f"{len(w.customers)} of {len(w.customers)} processed")).to_be_visible()
    assert CustomerRelationship.objects.filter(
        partner=w.fabrikam, origin="extension", has_admin_privileges=False
    ).count() == len(w.customers)

    # MV-6: the customer's admin sees Fabrikam on the Partner relationships page.
    sign_in("admin@adatum.example", DEMO_PASSWORD)
    page.goto("/admin-center/partners/")
    expect(page.get_by_role("main")).to_contain_text("Fabrikam Distribution")

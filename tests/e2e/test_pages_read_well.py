"""Pages that read well (issue 17): the customer page has no horizontal overflow at 1366 and
390 px and its "Account and bill-to" card reads in words; a refusal's Why? link opens the
rule's plain explanation on the Program rules page."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1366, 390])
def test_customer_page_fits_the_window_and_the_account_card_reads_in_words(
    page, sign_in, demo_world, width
):
    from core.models import Customer

    customer = Customer.objects.get(company_name="Adatum Corporation")
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", name="Account and bill-to")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    card = page.locator("section[aria-labelledby=account-h]")
    company = card.locator("dd").first
    expect(company).to_have_text("Adatum Corporation")
    line_height = company.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert company.bounding_box()["height"] < 2.5 * line_height  # not one letter a line
    assert company.bounding_box()["width"] > 120
    page.goto("/help/rules/")
    assert page.evaluate(NO_OVERFLOW)


@pytest.mark.rule("DB-3")
def test_db3_refusal_why_link_opens_the_rule_in_plain_words(page, sign_in, demo_world):
    """Contoso's direct-bill account is Active: its enrollment is refused (DB-3) with a plain
    sentence; Why? opens the Program rules page at DB-3."""
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/account/programs/")
    refusal = page.locator("li.error", has_text="Your direct-bill account is Active")
    expect(refusal).to_be_visible()
    assert "(DB-3)" not in refusal.inner_text()
    refusal.get_by_role("link", name="Why?").click()
    page.wait_for_url("**/help/rules/#DB-3")
    expect(page.get_by_role("heading", name="Program rules", level=1)).to_be_visible()
    rule = page.locator("dt#DB-3")
    expect(rule).to_be_in_viewport()
    expect(rule).to_contain_text("An Active direct-bill tenant can't also enroll")
    expect(page.locator("dt#DB-3 + dd")).to_contain_text("Ask support to restrict the account")

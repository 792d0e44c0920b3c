"""The customer picker in the browser, on the forms that use it: search as you type on the GDAP
request form and the audit log filter, chosen with the keyboard and with the mouse, the empty
message, and the same forms with JavaScript off (the box is a plain search field)."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _label(name: str) -> str:
    from core.customer_picker import label
    from core.models import Customer

    return label(Customer.objects.select_related("tenant").get(company_name=name))


def _request_gdap_rest_of_form(page, relationship: str) -> None:
    page.get_by_label("Relationship name").fill(relationship)
    page.get_by_label("User Administrator").check()
    page.get_by_label("Duration (days)").fill("30")
    page.get_by_role("button", name="Send request").click()


@pytest.mark.rule("AC-2")
@pytest.mark.rule("GD-1")
def test_picker_chosen_by_keyboard_and_mouse_then_filters_the_audit_log_AC2(
    page, sign_in, demo_world
):
    from relationships.models import GdapRelationship

    sign_in("agent@contoso.example", DEMO_PASSWORD)

    # GDAP request, keyboard: "publ" is inside two names; ArrowDown twice + Enter picks the second.
    page.goto("/gdap/request/")
    box = page.get_by_role("combobox", name="Customer", exact=True)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("publ")
    listbox = page.get_by_role("listbox")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Lucerne Publishing")
    expect(options.nth(1)).to_contain_text("Nod Publishers")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    # The active option is outlined, not only tinted: focus stays visible.
    outline = options.nth(0).evaluate("o => getComputedStyle(o).outlineStyle")
    assert outline == "solid"
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    box.press("Enter")  # chooses; does not submit the form yet
    expect(box).to_have_value(_label("Nod Publishers"))
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", first_id)
    assert not GdapRelationship.objects.exists()
    _request_gdap_rest_of_form(page, "Nod onboarding")
    expect(page.get_by_role("status")).to_contain_text("GDAP request sent to Nod Publishers")
    assert list(GdapRelationship.objects.values_list("customer__company_name", flat=True)) == [
        "Nod Publishers"
    ]

    # GDAP request, mouse: type part of a name, click the suggestion.
    page.goto("/gdap/request/")
    box = page.get_by_role("combobox", name="Customer", exact=True)
    box.press_sequentially("wood")
    page.get_by_role("option", name="Woodgrove Bank").click()
    expect(box).to_have_value(_label("Woodgrove Bank"))
    expect(page.get_by_role("listbox")).to_be_hidden()
    _request_gdap_rest_of_form(page, "Woodgrove onboarding")
    expect(page.get_by_role("status")).to_contain_text("GDAP request sent to Woodgrove Bank")

    # Audit log: the filter picks one customer with the mouse; only its events are listed.
    page.goto("/audit/")
    box = page.get_by_role("combobox", name="Customer", exact=True)
    box.press_sequentially("grove")
    page.get_by_role("option", name="Woodgrove Bank").click()
    page.get_by_role("button", name="Filter").click()
    table = page.locator("table.table")
    expect(table).to_contain_text("Woodgrove Bank")
    expect(table).to_contain_text("gdap.request")
    expect(table).not_to_contain_text("Nod Publishers")
    expect(page.get_by_role("combobox", name="Customer", exact=True)).to_have_value(
        _label("Woodgrove Bank")
    )

    # The keyboard on the audit log too; Escape closes, ArrowDown reopens what was found.
    box = page.get_by_role("combobox", name="Customer", exact=True)
    box.fill("")
    box.press_sequentially("nod")
    expect(page.get_by_role("option", name="Nod Publishers")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    box.press("ArrowDown")
    expect(page.get_by_role("option", name="Nod Publishers")).to_have_attribute(
        "aria-selected", "true"
    )
    box.press("Enter")
    expect(box).to_have_value(_label("Nod Publishers"))
    box.press("Enter")  # the list is closed: Enter submits the filter
    table = page.locator("table.table")
    expect(table).to_contain_text("Nod Publishers")
    expect(table).not_to_contain_text("Woodgrove Bank")


@pytest.mark.rule("AC-2")
def test_picker_says_when_nothing_matches_and_offers_no_other_partners_customer_AC2(
    page, sign_in, demo_world
):
    from tests import factories as f

    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto("/audit/")
    box = page.get_by_role("combobox", name="Customer", exact=True)
    box.press_sequentially("zzqx")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(listbox).to_have_text("No customer matches.")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")  # nothing to highlight: the message is never chosen
    expect(box).not_to_have_attribute("aria-activedescendant", "customer-picker-1-empty")
    box.press("Enter")
    expect(page.locator(".field .error")).to_contain_text("No customer of yours matches “zzqx”")

    # Another partner's customer is never suggested, even by its exact name.
    stranger = f.CustomerFactory(company_name="Zephyr Foreign", tenant__domain="zf.example")
    f.RelationshipFactory(customer=stranger, partner=demo_world.fabrikam)
    page.goto("/audit/")
    box = page.get_by_role("combobox", name="Customer", exact=True)
    box.press_sequentially("Zephyr Foreign")
    expect(page.get_by_role("listbox")).to_have_text("No customer matches.")


@pytest.mark.rule("GD-1")
def test_picker_without_javascript_is_a_plain_search_box_GD1(browser, live_server, demo_world):
    from relationships.models import GdapRelationship

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/signin/")
        page.get_by_label("Email").fill("agent@contoso.example")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        # Part of a name matching two customers: refused, both named, nothing requested.
        page.goto("/gdap/request/")
        box = page.get_by_role("textbox", name="Customer", exact=True)
        box.fill("publ")
        expect(page.get_by_role("listbox")).to_have_count(0)
        _request_gdap_rest_of_form(page, "Lucerne onboarding")
        error = page.locator(".field .error")
        expect(error).to_contain_text("2 customers match “publ”")
        expect(error).to_contain_text("Lucerne Publishing")
        expect(error).to_contain_text("Nod Publishers")
        assert not GdapRelationship.objects.exists()

        # A unique part of a name is enough.
        page.get_by_role("textbox", name="Customer", exact=True).fill("lucerne")
        page.get_by_label("User Administrator").check()
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("status")).to_contain_text(
            "GDAP request sent to Lucerne Publishing"
        )
        assert list(GdapRelationship.objects.values_list("customer__company_name", flat=True)) == [
            "Lucerne Publishing"
        ]

        # The audit log filter the same way.
        page.goto("/audit/")
        page.get_by_role("textbox", name="Customer", exact=True).fill("lucerne")
        page.get_by_role("button", name="Filter").click()
        table = page.locator("table.table")
        expect(table).to_contain_text("Lucerne Publishing")
        expect(table).to_contain_text("gdap.request")
    finally:
        context.close()

"""Each demo persona signs in through the real sign-in page and sees its own dashboard."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = [
    ("globaladmin@contoso.example", "Welcome, Grace", "Contoso Cloud"),
    ("agent@contoso.example", "Welcome, Adam", "Admin agent"),
    ("sales@contoso.example", "Welcome, Sally", "Sales agent"),
    ("billing@contoso.example", "Welcome, Bill", "Billing admin"),
    ("admin@fabrikam.example", "Indirect provider", "Fabrikam Distribution"),
    ("admin@northwind.example", "Indirect provider", "Northwind Supply"),
    ("admin@adatum.example", "Adatum Corporation admin center", "customer administrator"),
    ("support@portal.example", "Support workspace", "Restrict direct-bill accounts"),
]


def test_each_persona_signs_in_and_sees_its_dashboard(page, sign_in, demo_world):
    for email, heading, detail in PERSONAS:
        sign_in(email, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.get_by_test_id("dashboard")).to_contain_text(detail)
        expect(page.get_by_test_id("sim-clock")).to_contain_text("UTC")
        expect(page.get_by_role("navigation", name="Workspaces")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_is_refused_with_a_clear_message(page, sign_in, demo_world):
    sign_in("agent@contoso.example", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("didn't match")

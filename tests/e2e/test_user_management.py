"""User management in the browser (AC-1, AC-7): a Global admin invites a user, the invitee sets
a password from the emailed one-time link and signs in with the granted role; a role removed
takes effect at once."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.models import OutboundEmail, Role
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Invitee-Pass-2026!"


@pytest.mark.rule("AC-1")
@pytest.mark.rule("AC-7")
def test_ac1_invite_set_password_sign_in_then_a_removed_role_takes_effect(page, sign_in):
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=partner)
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN], full_name="Grace Admin")

    sign_in(admin.email, f.PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role(
        "link", name="User management"
    ).click()
    expect(page.get_by_test_id("users")).to_contain_text("Grace Admin")
    page.get_by_test_id("add-user").click()
    page.get_by_label("Full name").fill("Ada Agent")
    page.get_by_label("Email address").fill("ada@contoso.example")
    page.get_by_label("Admin agent").check()
    page.get_by_role("button", name="Add and send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("ada@contoso.example is invited")
    expect(page.get_by_test_id("users")).to_contain_text("Invited")

    email = OutboundEmail.objects.get(to=["ada@contoso.example"])
    link = re.search(r"/welcome/[^/\s]+/[^/\s]+/", email.body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_test_id("invitee-email")).to_have_text("ada@contoso.example")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your password is set")

    # The link worked once.
    page.goto(link)
    expect(page.get_by_test_id("link-problem")).to_contain_text("already used")

    sign_in("ada@contoso.example", NEW_PASSWORD)
    page.goto(reverse("gdap_request"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("You can't do that")

    # The Global admin takes the Admin agent role away and gives Sales agent instead.
    sign_in(admin.email, f.PASSWORD)
    page.goto(reverse("user_management"))
    page.get_by_role("link", name="Ada Agent").click()
    page.get_by_label("Admin agent").uncheck()
    page.get_by_label("Sales agent").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_test_id("user-roles")).to_have_text("Sales agent")

    sign_in("ada@contoso.example", NEW_PASSWORD)
    page.goto(reverse("gdap_request"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that")
    expect(page.get_by_test_id("role-help")).to_contain_text("Grace Admin")

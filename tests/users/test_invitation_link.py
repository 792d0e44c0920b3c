"""The invitee's first sign-in (AC-7): a one-time link from the portal's email sets a password;
a changed, used, replaced or expired link, or a deactivated user, gets a clear page and nothing
changes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import services as clock_services
from core.models import AuditEvent, Outcome, Role, User
from tests import factories as f
from users import services
from users.exceptions import InvitationLinkExpired, InvitationLinkProblem

from .conftest import link_in, sent, signs_in

pytestmark = pytest.mark.django_db
PASSWORD = "Brand-New-Pass-2026!"


@pytest.fixture
def invited(org):
    user = services.partner_user_invite(
        actor=org["ga"], email="pat@contoso.example", full_name="Pat New", roles=["admin_agent"]
    )
    return user, link_in(sent()[-1].body)


def _set(client, link, password=PASSWORD, again=None):
    return client.post(link, {"new_password1": password, "new_password2": again or password})


def _row(user):
    return User.objects.filter(pk=user.pk).values_list("password", "is_active", "roles").get()


@pytest.mark.rule("AC-7")
def test_ac7_the_link_sets_a_password_once_then_the_user_signs_in_with_its_roles(client, invited):
    user, link = invited
    page = client.get(link)
    assert page.status_code == 200 and b"pat@contoso.example" in page.content
    assert b"Contoso" not in page.content  # the link's page names no organisation
    response = _set(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signs_in(client, "pat@contoso.example", PASSWORD)
    signed_in = User.objects.get(pk=user.pk)
    assert signed_in.has_role(Role.ADMIN_AGENT)
    event = AuditEvent.objects.get(operation="partner_user.activate", outcome=Outcome.SUCCESS)
    assert (event.actor, event.new_state) == (signed_in, "active")
    # Used: the same link now refuses, and nothing changes.
    client.logout()
    before = _row(user)
    used = client.get(link)
    assert used.status_code == 400 and b"already used" in used.content
    assert _set(client, link, "Another-Pass-2026!").status_code == 400
    assert _row(user) == before


@pytest.mark.rule("AC-7")
def test_ac7_a_changed_link_is_refused_nothing_changed(client, invited):
    user, link = invited
    before = _row(user)
    tampered = link[:-3] + ("a" if link[-2] != "a" else "b") + "/"
    for bad in (tampered, reverse("user_welcome", args=["Zm9v", "x-y"])):
        response = _set(client, bad)
        assert response.status_code == 400, bad
        assert b"This link can" in response.content and b"Nothing was changed" in response.content
    assert _row(user) == before


@pytest.mark.rule("AC-3")
@pytest.mark.rule("AC-7")
def test_ac7_the_link_expires_by_the_simulation_clock(client, invited, staff):
    user, link = invited
    before = _row(user)
    clock_services.clock_advance(actor=staff, delta=timedelta(days=8))
    response = _set(client, link)
    assert response.status_code == 410 and b"expired" in response.content
    assert _row(user) == before
    with pytest.raises(InvitationLinkExpired):
        services.partner_user_activate(actor=user, token=link.split("/")[-2], password=PASSWORD)
    refused = AuditEvent.objects.get(operation="partner_user.activate")
    assert refused.outcome == Outcome.REFUSED and "expired" in refused.detail


@pytest.mark.rule("AC-7")
def test_ac7_a_deactivated_user_cannot_use_its_link(client, org, invited):
    user, link = invited
    services.partner_user_deactivate(actor=org["ga"], user=user)
    before = _row(user)
    response = _set(client, link)
    assert response.status_code == 403 and b"deactivated" in response.content
    assert _row(user) == before


@pytest.mark.rule("AC-7")
def test_ac7_sending_again_replaces_the_earlier_link(client, org, invited):
    user, old = invited
    client.force_login(org["ga"])
    response = client.post(reverse("user_resend_invitation", args=[user.pk]), follow=True)
    assert b"earlier one no longer works" in response.content
    new = link_in(sent()[-1].body)
    assert new != old
    client.logout()
    assert _set(client, old).status_code == 400
    assert _set(client, new).status_code == 302


@pytest.mark.rule("AC-7")
def test_ac7_nothing_to_send_again_once_the_user_signed_in(org):
    with pytest.raises(Exception, match="already set a password"):
        services.partner_user_resend_invitation(actor=org["ga"], user=org["agent"])


@pytest.mark.rule("AC-7")
def test_ac7_a_weak_or_mismatched_password_is_refused_nothing_changed(client, invited):
    user, link = invited
    before = _row(user)
    weak = _set(client, link, "12345678")
    assert weak.status_code == 400 and b"too common" in weak.content
    mismatch = _set(client, link, PASSWORD, "Other-Pass-2026!")
    assert mismatch.status_code == 400 and b"don&#x27;t match" in mismatch.content
    assert _row(user) == before
    assert client.get(link).status_code == 200  # still usable


@pytest.mark.rule("AC-7")
def test_ac7_another_users_token_does_not_open_this_users_link(invited, org):
    user, link = invited
    other = f.UserFactory(partner=org["partner"])
    token = link.split("/")[-2]
    with pytest.raises(InvitationLinkProblem):
        services.partner_user_activate(actor=other, token=token, password=PASSWORD)

"""User management (AC-1, AC-2): a Global admin invites users, assigns and removes roles,
deactivates and reactivates them; the partner keeps an active Global admin; nobody else can."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from core.exceptions import RoleRequired
from core.models import AuditEvent, Outcome, Role, User
from core.roles import partner_required
from core.views import error_403
from tests import factories as f
from users import services
from users.exceptions import (
    AlreadyDeactivated,
    CannotDeactivateSelf,
    EmailTaken,
    LastGlobalAdmin,
    PartnerUserNotFound,
    RolesRequired,
)

from .conftest import link_in, sent, signs_in

pytestmark = pytest.mark.django_db


def _state(partner):
    return sorted(
        User.objects.filter(partner=partner).values_list("email", "roles", "is_active", "password")
    )


def _refused(operation):
    return AuditEvent.objects.filter(operation=operation, outcome=Outcome.REFUSED)


# --- invite -------------------------------------------------------------------------------


@pytest.mark.rule("AC-1")
def test_ac1_global_admin_invites_a_user_who_gets_the_portals_email(org):
    user = services.partner_user_invite(
        actor=org["ga"],
        email="New.Person@Contoso.example",
        full_name="New Person",
        roles=["billing_admin", "sales_agent"],
    )
    assert user.partner == org["partner"] and user.email == "new.person@contoso.example"
    assert user.roles == ["sales_agent", "billing_admin"]  # Role order, each once
    assert not user.has_usable_password() and user.is_active
    (email,) = sent()
    assert email.to == ["new.person@contoso.example"]
    assert "Contoso" in email.subject and "Sales agent, Billing admin" in email.body
    assert link_in(email.body).startswith("/welcome/")
    event = AuditEvent.objects.get(operation="partner_user.invite", outcome=Outcome.SUCCESS)
    assert (event.partner, event.actor, event.new_state) == (org["partner"], org["ga"], "invited")


@pytest.mark.rule("AC-1")
@pytest.mark.parametrize("who", ["agent", "sales"])
def test_ac1_only_a_global_admin_invites_nothing_changed(org, who):
    before = _state(org["partner"])
    with pytest.raises(RoleRequired, match="Only a Global admin"):
        services.partner_user_invite(
            actor=org[who], email="x@contoso.example", full_name="X", roles=["sales_agent"]
        )
    assert _state(org["partner"]) == before and not sent()
    assert _refused("partner_user.invite").count() == 1


@pytest.mark.rule("AC-1")
def test_ac1_email_is_unique_across_the_portal_case_insensitive(org):
    other = f.UserFactory(email="taken@fabrikam.example")  # another partner's user
    before = _state(org["partner"])
    with pytest.raises(EmailTaken):
        services.partner_user_invite(
            actor=org["ga"], email="Taken@Fabrikam.example", full_name="X", roles=["sales_agent"]
        )
    assert _state(org["partner"]) == before and not sent()
    other.refresh_from_db()
    assert other.partner != org["partner"]


@pytest.mark.rule("AC-1")
def test_ac1_a_user_holds_one_or_more_roles(org):
    before = _state(org["partner"])
    for roles in ([], ["owner"]):
        with pytest.raises(RolesRequired):
            services.partner_user_invite(
                actor=org["ga"], email="x@contoso.example", full_name="X", roles=roles
            )
    assert _state(org["partner"]) == before


@pytest.mark.rule("AC-1")
def test_ac1_invite_page_adds_the_user_and_refuses_bad_input(client, org):
    client.force_login(org["ga"])
    page = client.get(reverse("user_invite"))
    assert page.status_code == 200 and b"Add and send invitation" in page.content
    bad = client.post(reverse("user_invite"), {"full_name": "X", "email": "nope", "roles": []})
    assert bad.status_code == 400 and b"Choose at least one role" in bad.content
    taken = client.post(
        reverse("user_invite"),
        {"full_name": "X", "email": org["sales"].email, "roles": ["sales_agent"]},
    )
    assert taken.status_code == 409 and b"already exists" in taken.content
    assert not sent()
    done = client.post(
        reverse("user_invite"),
        {"full_name": "Pat New", "email": "pat@contoso.example", "roles": ["admin_agent"]},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("user_management")
    page = done.content.decode()
    assert "pat@contoso.example is invited" in page and "Pat New" in page and "Invited" in page
    assert len(sent()) == 1


# --- list, navigation, AC-2 ---------------------------------------------------------------


@pytest.mark.rule("AC-1")
def test_ac1_list_shows_roles_and_status_and_only_global_admins_see_it(client, org):
    services.partner_user_deactivate(actor=org["ga"], user=org["sales"])
    f.UserFactory(email="stranger@fabrikam.example")
    client.force_login(org["ga"])
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("user_management")}"' in home  # left navigation
    response = client.get(reverse("user_management"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gail Global" in page and "Global admin" in page and "Deactivated" in page
    assert org["agent"].email in page and "stranger@fabrikam.example" not in page
    assert "User management" in client.get(reverse("account_profile")).content.decode()
    for user in (org["agent"], f.UserFactory(partner=org["partner"], roles=[Role.SALES_AGENT])):
        client.force_login(user)
        assert (
            f'href="{reverse("user_management")}"'
            not in client.get(reverse("home")).content.decode()
        )
        assert client.get(reverse("user_management")).status_code == 403


@pytest.mark.rule("AC-2")
def test_ac2_another_partners_user_is_not_found(client, org):
    stranger = f.UserFactory(roles=[Role.SALES_AGENT])
    before = _state(stranger.partner)
    with pytest.raises(PartnerUserNotFound):
        services.partner_user_change_roles(actor=org["ga"], user=stranger, roles=["admin_agent"])
    with pytest.raises(PartnerUserNotFound):
        services.partner_user_deactivate(actor=org["ga"], user=stranger)
    client.force_login(org["ga"])
    assert client.get(reverse("user_detail", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("user_deactivate", args=[stranger.pk])).status_code == 404
    assert _state(stranger.partner) == before


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.rule("AC-1")
def test_ac1_assign_and_remove_roles_at_once(client, org):
    client.force_login(org["ga"])
    response = client.post(
        reverse("user_detail", args=[org["sales"].pk]),
        {"roles": ["admin_agent", "billing_admin"]},
        follow=True,
    )
    assert b"are saved" in response.content
    org["sales"].refresh_from_db()
    assert org["sales"].roles == ["admin_agent", "billing_admin"]
    event = AuditEvent.objects.get(operation="partner_user.change_roles")
    assert (event.old_state, event.new_state) == ("Sales agent", "Admin agent, Billing admin")


@pytest.mark.rule("AC-1")
def test_ac1_the_last_global_admin_keeps_the_role_nothing_changed(client, org):
    before = _state(org["partner"])
    with pytest.raises(LastGlobalAdmin):
        services.partner_user_change_roles(actor=org["ga"], user=org["ga"], roles=["admin_agent"])
    client.force_login(org["ga"])
    response = client.post(reverse("user_detail", args=[org["ga"].pk]), {"roles": ["sales_agent"]})
    assert response.status_code == 409 and b"at least one active Global admin" in response.content
    assert _state(org["partner"]) == before
    assert _refused("partner_user.change_roles").count() == 2
    # With a second active Global admin, the first may give the role up.
    services.partner_user_change_roles(actor=org["ga"], user=org["agent"], roles=["global_admin"])
    services.partner_user_change_roles(actor=org["ga"], user=org["ga"], roles=["admin_agent"])
    org["ga"].refresh_from_db()
    assert org["ga"].roles == ["admin_agent"]


@pytest.mark.rule("AC-1")
def test_ac1_a_deactivated_global_admin_does_not_count(org):
    second = f.UserFactory(partner=org["partner"], roles=[Role.GLOBAL_ADMIN])
    services.partner_user_deactivate(actor=org["ga"], user=second)
    with pytest.raises(LastGlobalAdmin):
        services.partner_user_change_roles(actor=org["ga"], user=org["ga"], roles=["sales_agent"])


@pytest.mark.rule("AC-1")
@pytest.mark.parametrize("who", ["agent", "sales"])
def test_ac1_only_a_global_admin_changes_roles(client, org, who):
    before = _state(org["partner"])
    with pytest.raises(RoleRequired):
        services.partner_user_change_roles(actor=org[who], user=org[who], roles=["global_admin"])
    client.force_login(org[who])
    response = client.post(reverse("user_detail", args=[org[who].pk]), {"roles": ["global_admin"]})
    assert response.status_code == 403
    assert _state(org["partner"]) == before


@pytest.mark.rule("AC-1")
def test_ac1_a_removed_role_takes_effect_on_the_next_request(client, org):
    customer_page = reverse("gdap_request")
    client.force_login(org["agent"])
    assert client.get(customer_page).status_code == 200
    services.partner_user_change_roles(actor=org["ga"], user=org["agent"], roles=["sales_agent"])
    assert client.get(customer_page).status_code == 403


# --- deactivate, reactivate -----------------------------------------------------------------


@pytest.mark.rule("AC-1")
def test_ac1_deactivate_stops_sign_in_and_the_session_and_reactivate_restores(client, org):
    agent = org["agent"]
    client.force_login(agent)
    assert client.get(reverse("home")).status_code == 200
    services.partner_user_deactivate(actor=org["ga"], user=agent)
    agent.refresh_from_db()
    assert not agent.is_active and agent.roles == [Role.ADMIN_AGENT]
    assert client.get(reverse("home")).status_code == 302  # signed out: to sign-in
    assert not signs_in(client, agent.email, f.PASSWORD)
    with pytest.raises(AlreadyDeactivated):
        services.partner_user_deactivate(actor=org["ga"], user=agent)
    services.partner_user_reactivate(actor=org["ga"], user=agent)
    assert signs_in(client, agent.email, f.PASSWORD)
    ops = list(
        AuditEvent.objects.filter(outcome=Outcome.SUCCESS, operation__startswith="partner_user.")
        .order_by("pk")
        .values_list("operation", "new_state")
    )
    assert ops == [
        ("partner_user.deactivate", "deactivated"),
        ("partner_user.reactivate", "active"),
    ]


@pytest.mark.rule("AC-1")
def test_ac1_no_self_deactivation_and_never_the_last_global_admin(client, org):
    before = _state(org["partner"])
    with pytest.raises(CannotDeactivateSelf):
        services.partner_user_deactivate(actor=org["ga"], user=org["ga"])
    staff = f.StaffFactory()
    with pytest.raises(LastGlobalAdmin):
        services.partner_user_deactivate(actor=staff, user=org["ga"])
    client.force_login(org["ga"])
    response = client.post(reverse("user_deactivate", args=[org["ga"].pk]), follow=True)
    assert b"can&#x27;t deactivate your own account" in response.content
    assert _state(org["partner"]) == before


@pytest.mark.rule("AC-1")
def test_ac1_deactivate_page_button_and_refusal_for_non_global_admin(client, org):
    client.force_login(org["ga"])
    detail = client.get(reverse("user_detail", args=[org["sales"].pk])).content.decode()
    assert "Deactivate user" in detail and "confirm(" in detail
    response = client.post(reverse("user_deactivate", args=[org["sales"].pk]), follow=True)
    assert b"is deactivated" in response.content and b"Reactivate user" in response.content
    client.force_login(org["agent"])
    before = _state(org["partner"])
    assert client.post(reverse("user_reactivate", args=[org["sales"].pk])).status_code == 403
    assert _state(org["partner"]) == before


# --- the 403 page ----------------------------------------------------------------------------


@pytest.mark.rule("AC-1")
def test_ac1_403_page_names_the_global_admins_and_user_management(client, org):
    client.force_login(org["sales"])
    response = client.get(reverse("gdap_request"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Gail Global" in page and org["ga"].email in page
    assert "Account settings › User management" in page
    assert f'href="{reverse("user_management")}"' not in page  # not a page it can open


@pytest.mark.rule("AC-1")
def test_ac1_403_page_links_a_global_admin_to_user_management(client, org):
    """A Global admin refused for a role it lacks is sent to User management; a refusal that
    no role cures (a provider's page) doesn't offer it."""

    @partner_required(Role.SALES_AGENT)
    def sales_only(request):
        raise AssertionError("not reached")

    request = RequestFactory().get("/")
    request.user = org["ga"]
    with pytest.raises(PermissionDenied) as denied:
        sales_only(request)
    page = error_403(request, denied.value).content.decode()
    assert "Only a Sales agent can do this." in page
    assert f'href="{reverse("user_management")}"' in page
    client.force_login(org["ga"])
    response = client.get(reverse("transfer_bulk_request"))
    assert response.status_code == 403
    assert 'data-testid="role-help"' not in response.content.decode()

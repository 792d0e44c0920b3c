"""CU-6: a partner manages a customer's users and licences only under an active GDAP
relationship holding a role that allows it; GD-3: ending GDAP (either side) removes the rights
at once."""

import pytest

from core import clock
from core.models import AuditEvent, Outcome
from customers import services
from customers.catalog import M365_BP
from customers.exceptions import NoAdminPermissions
from customers.models import CustomerUser
from relationships.services import gdap as gdap_svc
from tests import factories as f

USER_ADMIN = "user_administrator"
LICENSE_ADMIN = "license_administrator"


@pytest.fixture
def tenant(indirect):
    """The indirect customer with one licence seat (billed by the provider) and one user."""
    f.SubscriptionFactory(
        customer=indirect.customer,
        billing_partner=indirect.provider,
        partner_of_record=indirect.reseller,
        quantity=5,
    )
    indirect.employee = f.CustomerUserFactory(
        customer=indirect.customer, email=f"ann@{indirect.customer.domain}"
    )
    return indirect


def _gdap(t, *roles, partner=None):
    return f.ActiveGdapFactory(
        partner=partner or t.reseller, customer=t.customer, roles=list(roles)
    )


def _create_user(t, email="bob"):
    return services.customer_user_create(
        actor=t.reseller_admin,
        customer=t.customer,
        display_name=email.title(),
        email=f"{email}@{t.customer.domain}",
    )


def _assign(t):
    return services.license_assign(
        actor=t.reseller_admin, customer_user=t.employee, offer_id=M365_BP
    )


def _assert_unchanged(t):
    assert list(CustomerUser.objects.values_list("email", flat=True)) == [t.employee.email]
    t.employee.refresh_from_db()
    assert t.employee.licenses == []


@pytest.mark.rule("CU-6")
def test_cu6_user_administrator_through_gdap_manages_users_and_licences(tenant):
    _gdap(tenant, USER_ADMIN)
    bob = _create_user(tenant)
    assert bob.customer == tenant.customer
    assert _assign(tenant).licenses == [M365_BP]


@pytest.mark.rule("CU-6")
def test_cu6_refused_without_any_gdap_and_nothing_changes(tenant):
    with pytest.raises(NoAdminPermissions, match="no admin permissions in .*'s tenant"):
        _create_user(tenant)
    with pytest.raises(NoAdminPermissions, match="License Administrator or User Administrator"):
        _assign(tenant)
    _assert_unchanged(tenant)
    refused = AuditEvent.objects.filter(outcome=Outcome.REFUSED)
    assert set(refused.values_list("operation", flat=True)) == {
        "customer_user.create",
        "license.assign",
    }


@pytest.mark.rule("CU-6")
def test_cu6_a_pending_or_ended_gdap_gives_no_rights(tenant):
    f.GdapFactory(partner=tenant.reseller, customer=tenant.customer, roles=[USER_ADMIN])
    f.ActiveGdapFactory(
        partner=tenant.reseller,
        customer=tenant.customer,
        roles=[USER_ADMIN],
        ends_at=clock.now(),  # past its end, not yet swept
    )
    with pytest.raises(NoAdminPermissions, match="no admin permissions"):
        _create_user(tenant)
    _assert_unchanged(tenant)


@pytest.mark.rule("CU-6")
def test_cu6_refused_with_gdap_lacking_a_suitable_role(tenant):
    _gdap(tenant, "directory_readers", "helpdesk_administrator")
    with pytest.raises(NoAdminPermissions) as refusal:
        _create_user(tenant)
    assert "(Directory Readers, Helpdesk Administrator) don't let you manage its users" in str(
        refusal.value
    )
    assert "User Administrator or Global Administrator" in str(refusal.value)
    with pytest.raises(NoAdminPermissions, match="don't let you assign its licences"):
        _assign(tenant)
    _assert_unchanged(tenant)


@pytest.mark.rule("CU-6")
def test_cu6_license_administrator_assigns_licences_but_cannot_add_users(tenant):
    _gdap(tenant, LICENSE_ADMIN)
    with pytest.raises(NoAdminPermissions, match="manage its users"):
        _create_user(tenant)
    assert CustomerUser.objects.count() == 1
    assert _assign(tenant).licenses == [M365_BP]


@pytest.mark.rule("CU-6")
def test_cu6_another_partners_gdap_gives_the_reseller_nothing(tenant):
    _gdap(tenant, USER_ADMIN, partner=tenant.provider)
    with pytest.raises(NoAdminPermissions):
        _create_user(tenant)
    _assert_unchanged(tenant)


@pytest.mark.rule("GD-3")
@pytest.mark.rule("CU-6")
@pytest.mark.parametrize("side", ["partner", "customer"])
def test_gd3_ending_gdap_removes_the_rights_at_once(tenant, side):
    gdap = _gdap(tenant, USER_ADMIN)
    _create_user(tenant, "bob")
    ender = (
        f.UserFactory(partner=tenant.reseller, roles=["admin_agent"])
        if side == "partner"
        else f.CustomerAdminFactory(customer=tenant.customer)
    )
    gdap_svc.gdap_terminate(actor=ender, gdap=gdap)
    with pytest.raises(NoAdminPermissions, match="no admin permissions"):
        _create_user(tenant, "carol")
    with pytest.raises(NoAdminPermissions):
        _assign(tenant)
    assert set(CustomerUser.objects.values_list("email", flat=True)) == {
        tenant.employee.email,
        f"bob@{tenant.customer.domain}",
    }
    tenant.employee.refresh_from_db()
    assert tenant.employee.licenses == []


# --- the customer page -------------------------------------------------------------------------


@pytest.mark.rule("CU-6")
def test_cu6_customer_page_shows_gdap_roles_and_offers_management_only_with_them(tenant, client):
    client.force_login(tenant.reseller_admin)
    url = f"/customers/{tenant.customer.pk}/"
    body = client.get(url).content.decode()
    assert "No admin permissions" in body and 'data-testid="users-refusal"' in body
    assert "Add user" not in body and "Assign Microsoft 365" not in body
    assert "Request GDAP" in body
    response = client.post(
        f"{url}users/",
        {"display_name": "Bob", "email": f"bob@{tenant.customer.domain}"},
        follow=True,
    )
    assert "no admin permissions" in response.content.decode()
    _assert_unchanged(tenant)

    _gdap(tenant, LICENSE_ADMIN)
    body = client.get(url).content.decode()
    assert "Admin permissions in this tenant through GDAP: <strong>License Administrator" in body
    assert "Assign Microsoft 365 Business Premium" in body and "Add user" not in body

    _gdap(tenant, USER_ADMIN)
    body = client.get(url).content.decode()
    assert "<strong>User Administrator, License Administrator</strong>" in body  # newest first
    assert "Add user" in body and 'data-testid="users-refusal"' not in body
    client.post(f"{url}users/", {"display_name": "Bob", "email": f"bob@{tenant.customer.domain}"})
    assert CustomerUser.objects.filter(email=f"bob@{tenant.customer.domain}").exists()

"""CU-7: customer-side decisions (answering an invitation, approving, rejecting or ending GDAP)
need a Global Administrator of the customer's tenant; GD-3: either side ends an active GDAP
relationship."""

import pytest
from django.urls import reverse

from core.exceptions import CustomerGlobalAdminRequired, RoleRequired
from core.models import AuditEvent, CustomerRelationship, Notification, Outcome, Role
from relationships import gdap as gdap_queries
from relationships import links
from relationships.exceptions import GdapRefused
from relationships.models import CustomerInvitation, GdapStatus, InvitationKind, InvitationStatus
from relationships.services import gdap as gdap_svc
from relationships.services import invitation_drafts as draft_svc
from relationships.services import invitations as invitation_svc
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    """A direct-bill partner's customer with a Global Administrator and a plain user."""
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    agent = rf.admin_agent(partner)
    customer = rf.direct_customer(partner, customer=f.CustomerFactory(company_name="Adatum"))
    admin = f.CustomerAdminFactory(customer=customer)
    plain = f.CustomerPlainUserFactory(customer=customer)
    return partner, agent, customer, admin, plain


def _invitation():
    """An indirect reseller invitation to a new customer: any customer user may open it."""
    provider = f.ProviderFactory(legal_name="Fabrikam Distribution")
    reseller = rf.reseller(legal_name="Northwind Resale")
    rf.accepted(provider, reseller)
    return draft_svc.customer_invitation_create(
        actor=rf.admin_agent(reseller),
        kind=InvitationKind.INDIRECT,
        provider=provider,
    )


def _refused(operation):
    return AuditEvent.objects.filter(operation=operation, outcome=Outcome.REFUSED).count()


# --- CU-7: invitations ---------------------------------------------------------------------


@pytest.mark.rule("CU-7")
def test_cu7_plain_user_cannot_accept_or_decline_an_invitation(tenant):
    _, _, customer, _, plain = tenant
    invitation = _invitation()
    token = rf.token(links.CUSTOMER, invitation.pk)
    before = set(CustomerRelationship.objects.values_list("pk", flat=True))
    with pytest.raises(CustomerGlobalAdminRequired, match="Only a Global Administrator of Adatum"):
        invitation_svc.customer_invitation_accept(actor=plain, token=token)
    with pytest.raises(CustomerGlobalAdminRequired, match="decline an invitation"):
        invitation_svc.customer_invitation_decline(actor=plain, token=token)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DRAFT and invitation.answered_by is None
    assert set(CustomerRelationship.objects.values_list("pk", flat=True)) == before
    assert _refused("customer_invitation.accept") == 1
    assert _refused("customer_invitation.decline") == 1


@pytest.mark.rule("CU-7")
def test_cu7_global_administrator_accepts_the_invitation(tenant):
    _, _, customer, admin, _ = tenant
    invitation = _invitation()
    invitation_svc.customer_invitation_accept(
        actor=admin, token=rf.token(links.CUSTOMER, invitation.pk)
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.answered_by == admin
    assert CustomerRelationship.objects.active().filter(customer=customer).count() == 3


@pytest.mark.rule("CU-7")
def test_cu7_invitation_page_plain_user_sees_it_with_disabled_buttons_and_is_refused(
    client, tenant
):
    _, _, customer, admin, plain = tenant
    invitation = _invitation()
    url = links.path_for(links.CUSTOMER, invitation.pk)
    client.force_login(plain)
    page = client.get(url).content.decode()
    assert "Fabrikam Distribution" in page  # sees the request
    assert 'data-testid="decision-refusal"' in page and "Only a Global Administrator" in page
    assert 'value="accept" disabled' in page and 'value="decline" disabled' in page
    response = client.post(url, {"action": "accept"}, follow=True)
    # CU-7 is a rule of the decision, not a partner role: shown on the invitation page, with
    # its Why? link, and nothing changes.
    assert response.redirect_chain == [(url, 302)]
    body = response.content.decode()
    assert "Only a Global Administrator of Adatum" in body and "/help/rules/#CU-7" in body
    assert CustomerInvitation.objects.get().status == InvitationStatus.DRAFT
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert 'data-testid="decision-refusal"' not in page and 'value="accept" disabled' not in page


# --- CU-7: GDAP decisions --------------------------------------------------------------------


@pytest.mark.rule("CU-7")
def test_cu7_plain_user_cannot_approve_or_reject_gdap(tenant):
    partner, _, customer, _, plain = tenant
    gdap = f.GdapFactory(partner=partner, customer=customer, roles=["user_administrator"])
    with pytest.raises(CustomerGlobalAdminRequired, match="approve a GDAP request"):
        gdap_svc.gdap_approve(actor=plain, gdap=gdap)
    with pytest.raises(CustomerGlobalAdminRequired, match="reject a GDAP request"):
        gdap_svc.gdap_reject(actor=plain, gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING and gdap.decided_by is None
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    assert _refused("gdap.approve") == 1 and _refused("gdap.reject") == 1


@pytest.mark.rule("CU-7")
def test_cu7_global_administrator_approves_and_rejects_gdap(tenant):
    partner, _, customer, admin, _ = tenant
    approved = f.GdapFactory(partner=partner, customer=customer, roles=["user_administrator"])
    rejected = f.GdapFactory(partner=partner, customer=customer)
    gdap_svc.gdap_approve(actor=admin, gdap=approved)
    gdap_svc.gdap_reject(actor=admin, gdap=rejected)
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.status, approved.decided_by) == (GdapStatus.ACTIVE, admin)
    assert (rejected.status, rejected.decided_by) == (GdapStatus.REJECTED, admin)


@pytest.mark.rule("CU-7")
def test_cu7_gdap_page_plain_user_sees_requests_with_disabled_buttons_and_is_refused(
    client, tenant
):
    partner, _, customer, admin, plain = tenant
    pending = f.GdapFactory(partner=partner, customer=customer, roles=["license_administrator"])
    active = f.ActiveGdapFactory(partner=partner, customer=customer)
    client.force_login(plain)
    page = client.get(reverse("customer_gdap")).content.decode()
    assert "License Administrator" in page and "Contoso Cloud" in page  # sees the request
    assert 'data-testid="decision-refusal"' in page
    assert page.count(" disabled title=") == 3  # approve, reject, end now
    for gdap, action in ((pending, "approve"), (pending, "reject"), (active, "terminate")):
        url = reverse("customer_gdap_decide", args=[gdap.pk, action])
        response = client.post(url, {"confirm": "on"}, follow=True)
        assert "Only a Global Administrator of Adatum" in response.content.decode()
    pending.refresh_from_db()
    active.refresh_from_db()
    assert (pending.status, active.status) == (GdapStatus.PENDING, GdapStatus.ACTIVE)
    client.force_login(admin)
    page = client.get(reverse("customer_gdap")).content.decode()
    assert 'data-testid="decision-refusal"' not in page and " disabled title=" not in page


# --- GD-3: either side ends an active relationship -------------------------------------------


@pytest.mark.rule("GD-3")
@pytest.mark.rule("CU-7")
def test_gd3_plain_customer_user_cannot_end_gdap_but_global_administrator_can(tenant):
    partner, _, customer, admin, plain = tenant
    gdap = f.ActiveGdapFactory(partner=partner, customer=customer)
    with pytest.raises(CustomerGlobalAdminRequired, match="end a GDAP relationship"):
        gdap_svc.gdap_terminate(actor=plain, gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.ACTIVE and gdap_queries.has_admin_permissions(
        partner=partner, customer=customer
    )
    gdap_svc.gdap_terminate(actor=admin, gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.TERMINATED and gdap.closed_at is not None
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    event = AuditEvent.objects.get(operation="gdap.terminate", outcome=Outcome.SUCCESS)
    assert event.actor == admin and "customer" in event.detail


@pytest.mark.rule("GD-3")
def test_gd3_partner_admin_agent_ends_gdap_from_its_gdap_page(client, tenant):
    partner, agent, customer, admin, _ = tenant
    gdap = f.ActiveGdapFactory(partner=partner, customer=customer, roles=["user_administrator"])
    client.force_login(agent)
    page = client.get(reverse("partner_gdap")).content.decode()
    assert 'data-testid="gdap-terminate"' in page
    url = reverse("partner_gdap_terminate", args=[gdap.pk])
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert "its admin permissions are gone" in response.content.decode()
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.TERMINATED
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    # both sides get the confirmation
    assert Notification.objects.filter(user=admin, subject__contains="ended the GDAP").exists()
    assert Notification.objects.filter(user=agent, subject__contains="ended the GDAP").exists()
    with pytest.raises(GdapRefused, match="Only an active GDAP relationship"):
        gdap_svc.gdap_terminate(actor=agent, gdap=gdap)


@pytest.mark.rule("GD-3")
def test_gd3_only_the_partners_admin_agent_ends_it_and_only_its_own(client, tenant):
    partner, _, customer, _, _ = tenant
    gdap = f.ActiveGdapFactory(partner=partner, customer=customer)
    sales = f.UserFactory(partner=partner, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        gdap_svc.gdap_terminate(actor=sales, gdap=gdap)
    client.force_login(sales)
    page = client.get(reverse("partner_gdap")).content.decode()
    assert 'data-testid="gdap-terminate"' not in page and "or an Admin agent can end it" in page
    assert client.post(reverse("partner_gdap_terminate", args=[gdap.pk])).status_code == 403
    stranger = rf.admin_agent(f.PartnerFactory())
    client.force_login(stranger)
    assert client.post(reverse("partner_gdap_terminate", args=[gdap.pk])).status_code == 404
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.ACTIVE
    assert _refused("gdap.terminate") == 1


@pytest.mark.rule("GD-3")
def test_gd3_a_pending_request_cannot_be_ended(tenant):
    partner, agent, customer, _, _ = tenant
    gdap = f.GdapFactory(partner=partner, customer=customer)
    with pytest.raises(GdapRefused, match="Only an active GDAP relationship"):
        gdap_svc.gdap_terminate(actor=agent, gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING


def test_top_bar_shows_the_customer_users_tenant_role(client, tenant):
    _, _, _, admin, plain = tenant
    client.force_login(admin)
    assert "Adatum · Global Administrator" in client.get(reverse("customer_gdap")).content.decode()
    client.force_login(plain)
    assert "Adatum · User" in client.get(reverse("customer_gdap")).content.decode()


@pytest.mark.rule("CU-7")
def test_cu7_tenant_role_only_for_customer_users_by_constraint(tenant):
    from django.db import IntegrityError, transaction

    _, _, customer, _, _ = tenant
    with pytest.raises(IntegrityError), transaction.atomic():
        f.CustomerAdminFactory(customer=customer, customer_role="")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.UserFactory(roles=[Role.ADMIN_AGENT], customer_role="global_administrator")


@pytest.mark.rule("CU-7")
def test_cu7_home_panel_tells_a_plain_user_who_must_approve(client, tenant):
    partner, _, customer, admin, plain = tenant
    f.GdapFactory(partner=partner, customer=customer)
    client.force_login(plain)
    page = client.get(reverse("home")).content.decode()
    assert "1 request(s) waiting for a Global Administrator's approval" in page
    client.force_login(admin)
    assert "1 request(s) waiting for your approval" in client.get(reverse("home")).content.decode()

"""CU-1, CU-2, MV-6, MV-7, MV-8, DB-2 and PV-3 for customer invitations."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from core import sweep
from core.exceptions import RoleRequired
from core.models import (
    AuditEvent,
    CustomerRelationship,
    Outcome,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from core.services import clock_advance
from enrollment.exceptions import DirectBillRestricted, IndirectResellerRequired
from enrollment.models import DirectBillStatus
from relationships import links
from relationships.exceptions import (
    InvitationLinkRemoved,
    InvitationRefused,
    LinkExpired,
    LinkUsed,
    LinkWithdrawn,
    LinkWrongAudience,
)
from relationships.models import CustomerInvitation, InvitationKind, InvitationStatus
from relationships.services import invitation_drafts as drafts
from relationships.services import invitations as svc
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    provider = f.ProviderFactory(legal_name="Fabrikam Distribution")
    reseller = rf.reseller(legal_name="Contoso Cloud")
    rf.accepted(provider, reseller)
    agent = rf.admin_agent(reseller)
    return provider, reseller, agent


def _draft(world, **kwargs):
    provider, _, agent = world
    return drafts.customer_invitation_create(
        actor=agent, kind=InvitationKind.INDIRECT, provider=provider, **kwargs
    )


# --- CU-2: the draft, editing, copy/send, Done ------------------------------------------------


@pytest.mark.rule("CU-2")
def test_cu2_draft_email_contains_personalised_link_and_done_makes_it_pending(client, world):
    provider, reseller, agent = world
    client.force_login(agent)
    response = client.post(
        reverse("customer_invitation_new") + "?kind=indirect", {"provider": provider.pk}
    )
    invitation = CustomerInvitation.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "customer_invitation_draft", args=[invitation.pk]
    )
    link = drafts.link_url(invitation)
    assert link in invitation.message and "Fabrikam Distribution" in invitation.message
    page = client.get(response.url)
    assert link in page.content.decode() and b"data-copy-from" in page.content
    edited = "Hi there, please accept: " + link
    response = client.post(response.url, {"message": edited, "action": "done"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.message == edited
    listing = client.get(reverse("customer_invitations"))
    assert b"Pending" in listing.content
    assert AuditEvent.objects.filter(operation="customer_invitation.done").exists()


@pytest.mark.rule("CU-2")
def test_cu2_edit_refused_when_link_removed_and_nothing_changes(client, world):
    _, _, agent = world
    invitation = _draft(world)
    original = invitation.message
    with pytest.raises(InvitationLinkRemoved, match="must keep the personalised invitation link"):
        drafts.customer_invitation_edit(actor=agent, invitation=invitation, message="No link here")
    client.force_login(agent)
    url = reverse("customer_invitation_draft", args=[invitation.pk])
    for action in ("save", "done", "send"):
        response = client.post(
            url, {"message": "Link gone", "action": action, "send_to": "it@cust.test"}
        )
        assert response.status_code == 200
        assert "must keep the personalised invitation link" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.message == original and invitation.status == InvitationStatus.DRAFT
    assert not invitation.sent_to
    assert AuditEvent.objects.filter(
        operation="customer_invitation.edit", outcome=Outcome.REFUSED
    ).exists()


@pytest.mark.rule("CU-2")
def test_cu2_send_queues_email_to_the_customer(world, django_capture_on_commit_callbacks):
    _, _, agent = world
    invitation = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        drafts.customer_invitation_send(actor=agent, invitation=invitation, to="IT@Customer.test")
    assert mail.outbox[-1].to == ["it@customer.test"]
    assert drafts.link_url(invitation) in mail.outbox[-1].body
    invitation.refresh_from_db()
    assert invitation.sent_to == ["it@customer.test"]
    with pytest.raises(InvitationRefused, match="email address"):
        drafts.customer_invitation_send(actor=agent, invitation=invitation, to="nope")


@pytest.mark.rule("CU-2")
def test_cu2_needs_accepted_provider_indirect_reseller_and_role(world):
    provider, reseller, agent = world
    stranger = f.ProviderFactory()
    with pytest.raises(InvitationRefused, match="whose partnership invitation you accepted"):
        drafts.customer_invitation_create(
            actor=agent, kind=InvitationKind.INDIRECT, provider=stranger
        )
    not_indirect = rf.admin_agent(f.PartnerFactory())
    with pytest.raises(IndirectResellerRequired):
        drafts.customer_invitation_create(
            actor=not_indirect, kind=InvitationKind.INDIRECT, provider=provider
        )
    sales = f.UserFactory(partner=reseller, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        drafts.customer_invitation_create(
            actor=sales, kind=InvitationKind.INDIRECT, provider=provider
        )
    assert not CustomerInvitation.objects.exists()


@pytest.mark.rule("CU-2")
@pytest.mark.rule("CU-1")
@pytest.mark.rule("MV-6")
def test_cu2_acceptance_creates_reseller_and_provider_relationships_together(client, world):
    provider, reseller, agent = world
    invitation = _draft(world)
    admin = f.CustomerAdminFactory()
    customer = admin.customer
    client.force_login(admin)
    url = links.path_for(links.CUSTOMER, invitation.pk)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Contoso Cloud" in text and "Fabrikam Distribution" in text
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302 and response.url == reverse("partner_relationships")
    rels = CustomerRelationship.objects.active().filter(customer=customer)
    assert {(r.partner_id, r.kind, r.reseller_id) for r in rels} == {
        (reseller.pk, RelationshipKind.INDIRECT_RESELLER, None),
        (provider.pk, RelationshipKind.INDIRECT_PROVIDER, reseller.pk),
    }
    assert all(r.origin == RelationshipOrigin.INVITATION for r in rels)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_customer == customer
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Contoso Cloud" in page and "Indirect provider for Contoso Cloud" in page
    assert "No admin permissions" in page  # CU-6: nothing until GDAP is approved
    # AC-2: both partners now see the customer
    assert agent.partner.customer_relationships.filter(customer=customer).exists()


@pytest.mark.rule("CU-2")
def test_cu2_acceptance_is_atomic(world, monkeypatch):
    """If creating the provider relationship fails, the reseller relationship is rolled back."""
    provider, reseller, _ = world
    invitation = _draft(world)
    admin = f.CustomerAdminFactory()
    real = svc._relate

    def failing(**kwargs):
        if kwargs["partner"] == provider:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(svc, "_relate", failing)
    with pytest.raises(RuntimeError):
        svc.customer_invitation_accept(actor=admin, token=rf.token(links.CUSTOMER, invitation.pk))
    assert not CustomerRelationship.objects.filter(customer=admin.customer).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DRAFT


@pytest.mark.rule("CU-2")
def test_cu2_acceptance_refused_when_partnership_ended(world):
    provider, reseller, _ = world
    invitation = _draft(world)
    from relationships.models import ProviderPartnership

    ProviderPartnership.objects.filter(provider=provider, reseller=reseller).update(status="ended")
    admin = f.CustomerAdminFactory()
    with pytest.raises(InvitationRefused, match="has ended"):
        svc.customer_invitation_accept(actor=admin, token=rf.token(links.CUSTOMER, invitation.pk))
    assert not CustomerRelationship.objects.filter(customer=admin.customer).exists()


def test_customer_declines(client, world):
    invitation = _draft(world)
    admin = f.CustomerAdminFactory()
    client.force_login(admin)
    client.post(links.path_for(links.CUSTOMER, invitation.pk), {"action": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not CustomerRelationship.objects.filter(customer=admin.customer).exists()


def test_cancel_and_isolation(client, world):
    _, _, agent = world
    invitation = _draft(world)
    other = rf.InvitationFactory()
    client.force_login(agent)
    assert client.get(reverse("customer_invitation_draft", args=[other.pk])).status_code == 404
    assert client.post(reverse("customer_invitation_cancel", args=[other.pk])).status_code == 404
    assert client.get(reverse("customer_invitation_draft", args=[999999])).status_code == 404
    client.post(reverse("customer_invitation_cancel", args=[invitation.pk]), {"confirm": "on"})
    invitation.refresh_from_db()
    other.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED
    assert other.status == InvitationStatus.DRAFT
    admin = f.CustomerAdminFactory()
    with pytest.raises(LinkWithdrawn):
        svc.customer_invitation_accept(actor=admin, token=rf.token(links.CUSTOMER, invitation.pk))


# --- MV-8: indirect invitation to an existing direct-bill customer ----------------------------


@pytest.mark.rule("MV-8")
def test_mv8_existing_direct_customer_accepts_and_provider_can_order(client, world):
    provider, reseller, agent = world
    customer = rf.direct_customer(reseller)
    admin = f.CustomerAdminFactory(customer=customer)
    client.force_login(agent)
    response = client.post(
        reverse("customer_invitation_new") + f"?kind=indirect&customer={customer.pk}",
        {"provider": provider.pk},
    )
    invitation = CustomerInvitation.objects.get()
    assert response.status_code == 302 and invitation.customer == customer
    svc.customer_invitation_accept(actor=admin, token=rf.token(links.CUSTOMER, invitation.pk))
    rels = {
        r.partner_id: r for r in CustomerRelationship.objects.active().filter(customer=customer)
    }
    assert rels[reseller.pk].kind == RelationshipKind.DIRECT  # its direct relationship stays
    assert rels[provider.pk].kind == RelationshipKind.INDIRECT_PROVIDER
    assert rels[provider.pk].reseller == reseller
    # MV-1's precondition for the provider: it now has a relationship with the customer
    from core.roles import customer_for

    assert customer_for(provider, customer.pk) == customer


@pytest.mark.rule("MV-8")
def test_mv8_refused_for_a_customer_that_is_not_direct_and_others_customers_404(client, world):
    provider, reseller, agent = world
    indirect = f.RelationshipFactory(partner=reseller, kind=RelationshipKind.INDIRECT_RESELLER)
    with pytest.raises(InvitationRefused, match="not one of your direct-bill customers"):
        drafts.customer_invitation_create(
            actor=agent,
            kind=InvitationKind.INDIRECT,
            provider=provider,
            customer=indirect.customer,
        )
    client.force_login(agent)
    foreign = f.RelationshipFactory().customer
    url = reverse("customer_invitation_new") + f"?kind=indirect&customer={foreign.pk}"
    assert client.get(url).status_code == 404
    assert client.get(reverse("customer_invitation_new") + "?customer=abc").status_code == 404
    assert not CustomerInvitation.objects.exists()


@pytest.mark.rule("PV-3")
def test_pv3_targeted_invitation_opened_by_another_customers_admin_is_403(client, world):
    _, reseller, _ = world
    customer = rf.direct_customer(reseller)
    invitation = _draft(world, customer=customer)
    intruder = f.CustomerAdminFactory()
    token = rf.token(links.CUSTOMER, invitation.pk)
    with pytest.raises(LinkWrongAudience):
        svc.customer_invitation_accept(actor=intruder, token=token)
    client.force_login(intruder)
    assert (
        client.post(
            reverse("customer_invitation_link", args=[token]), {"action": "accept"}
        ).status_code
        == 403
    )
    # a partner user is never the audience of a customer invitation
    client.force_login(rf.global_admin(f.PartnerFactory()))
    assert client.get(reverse("customer_invitation_link", args=[token])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DRAFT
    assert not CustomerRelationship.objects.filter(customer=intruder.customer).exists()


# --- PV-3 for customer links --------------------------------------------------------------------


@pytest.mark.rule("PV-3")
def test_pv3_customer_link_tampered_reused_expired(client, world):
    invitation = _draft(world)
    admin = f.CustomerAdminFactory()
    client.force_login(admin)
    token = rf.token(links.CUSTOMER, invitation.pk)
    tampered = token.replace(
        token.split(":")[0], rf.token(links.CUSTOMER, invitation.pk + 1).split(":")[0]
    )
    response = client.post(
        reverse("customer_invitation_link", args=[tampered]), {"action": "accept"}
    )
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not CustomerRelationship.objects.filter(customer=admin.customer).exists()
    # used: a second customer (or the same one) cannot reuse it
    svc.customer_invitation_accept(actor=admin, token=token)
    second = f.CustomerAdminFactory()
    with pytest.raises(LinkUsed):
        svc.customer_invitation_accept(actor=second, token=token)
    client.force_login(second)
    assert client.get(reverse("customer_invitation_link", args=[token])).status_code == 410
    assert not CustomerRelationship.objects.filter(customer=second.customer).exists()
    # expired by the simulation clock, then swept
    later = _draft(world)
    clock_advance(actor=None, delta=timedelta(days=31))
    late = rf.token(links.CUSTOMER, later.pk)
    with pytest.raises(LinkExpired):
        svc.customer_invitation_accept(actor=second, token=late)
    assert client.get(reverse("customer_invitation_link", args=[late])).status_code == 410
    sweep.run_sweep()
    later.refresh_from_db()
    assert later.status == InvitationStatus.EXPIRED
    assert client.get(reverse("customer_invitation_link", args=[late])).status_code == 410
    assert not CustomerRelationship.objects.filter(customer=second.customer).exists()


# --- MV-7: new direct reseller relationship ------------------------------------------------------


@pytest.fixture
def direct_partner():
    partner = f.PartnerFactory(legal_name="Direct Co")
    f.DirectBillEnrollmentFactory(partner=partner)
    return partner


@pytest.mark.rule("MV-7")
def test_mv7_new_relationship_makes_partner_reseller_of_record(client, direct_partner):
    agent = rf.admin_agent(direct_partner)
    client.force_login(agent)
    response = client.post(reverse("customer_invitation_new") + "?kind=direct", {"kind": "direct"})
    invitation = CustomerInvitation.objects.get()
    assert response.status_code == 302 and invitation.kind == InvitationKind.DIRECT
    assert drafts.link_url(invitation) in invitation.message
    assert "reseller of record" in invitation.message
    other = _other_invitation = drafts.customer_invitation_create(
        actor=agent, kind=InvitationKind.DIRECT
    )
    assert drafts.link_url(other) != drafts.link_url(invitation)  # unique link
    admin = f.CustomerAdminFactory()
    svc.customer_invitation_accept(actor=admin, token=rf.token(links.CUSTOMER, invitation.pk))
    rel = CustomerRelationship.objects.active().get(customer=admin.customer)
    assert rel.partner == direct_partner and rel.kind == RelationshipKind.DIRECT
    assert rel.origin == RelationshipOrigin.INVITATION
    # accepting another direct invitation of the same partner is refused, nothing changes
    with pytest.raises(InvitationRefused, match="already one of your partners"):
        svc.customer_invitation_accept(
            actor=admin, token=rf.token(links.CUSTOMER, _other_invitation.pk)
        )
    assert CustomerRelationship.objects.filter(customer=admin.customer).count() == 1


@pytest.mark.rule("DB-2")
@pytest.mark.rule("MV-7")
def test_db2_restricted_partner_cannot_send_direct_reseller_invitations(client, direct_partner):
    direct_partner.direct_bill_enrollment.__class__.objects.filter(partner=direct_partner).update(
        status=DirectBillStatus.RESTRICTED
    )
    agent = rf.admin_agent(direct_partner)
    with pytest.raises(DirectBillRestricted, match="send direct reseller invitations"):
        drafts.customer_invitation_create(actor=agent, kind=InvitationKind.DIRECT)
    client.force_login(agent)
    response = client.post(
        reverse("customer_invitation_new") + "?kind=direct", {"kind": "direct"}, follow=True
    )
    assert "restricted" in response.content.decode()
    assert not CustomerInvitation.objects.exists()
    assert AuditEvent.objects.filter(
        operation="customer_invitation.create", outcome=Outcome.REFUSED
    ).exists()

"""AC-7: the rules checked when an invitation or request was made are checked again when it is
used — customer invitations (DB-2, EN-7/DB-6), provider partnership invitations (PV-2, EN-7)
and GDAP requests (GD-1). A refusal says what changed and changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import clock, sweep
from core.models import AuditEvent, CustomerRelationship, OutboundEmail, Outcome, Role
from core.services import clock_advance
from enrollment.exceptions import DirectBillRestricted, IndirectResellerRequired
from enrollment.models import DirectBillEnrollment, DirectBillStatus, IndirectStatus
from enrollment.services.application import (
    direct_bill_application_approve,
    direct_bill_application_submit,
)
from enrollment.services.direct_bill import direct_bill_reactivate, direct_bill_restrict
from relationships import links
from relationships.exceptions import GdapNoLongerValid, InvitationNoLongerValid
from relationships.models import (
    GdapStatus,
    InvitationKind,
    InvitationStatus,
    PartnershipStatus,
)
from relationships.services import gdap as gdap_services
from relationships.services import invitation_drafts, invitations
from relationships.services import partnerships as partnership_services
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


def refused_accepts():
    return AuditEvent.objects.filter(
        operation="customer_invitation.accept", outcome=Outcome.REFUSED
    ).count()


def accept(admin, invitation):
    return invitations.customer_invitation_accept(
        actor=admin, token=rf.token(links.CUSTOMER, invitation.pk)
    )


def assert_unused(invitation, customer):
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.answered_at is None
    assert not CustomerRelationship.objects.filter(customer=customer).exists()


# --- direct invitations: the sender's direct-bill account (DB-2) ---------------------------------


@pytest.fixture
def direct_invitation():
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=partner)
    agent = rf.admin_agent(partner)
    invitation = invitation_drafts.customer_invitation_create(
        actor=agent, kind=InvitationKind.DIRECT
    )
    return invitation_drafts.customer_invitation_done(actor=agent, invitation=invitation)


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-2")
def test_ac7_direct_invitation_refused_after_the_sender_was_restricted_then_usable_again(
    client, direct_invitation, staff
):
    partner = direct_invitation.partner
    admin = f.CustomerAdminFactory()
    direct_bill_restrict(actor=staff, partner=partner, reason="Transition")
    with pytest.raises(InvitationNoLongerValid) as refusal:
        accept(admin, direct_invitation)
    assert str(refusal.value).startswith(
        "Contoso Cloud's direct-bill account was restricted after it sent this invitation"
    )
    assert "Nothing was changed" in str(refusal.value)
    assert_unused(direct_invitation, admin.customer)
    assert refused_accepts() == 1
    # the link page shows the refusal and still offers the customer to decline
    client.force_login(admin)
    token = rf.token(links.CUSTOMER, direct_invitation.pk)
    page = client.post(
        reverse("customer_invitation_link", args=[token]), {"action": "accept"}, follow=True
    ).content.decode()
    assert "was restricted after it sent this invitation" in page
    assert_unused(direct_invitation, admin.customer)
    # the invitation stayed open: once the account is Active again it can be accepted
    direct_bill_reactivate(actor=staff, partner=partner, reason="Back")
    accept(admin, direct_invitation)
    direct_invitation.refresh_from_db()
    assert direct_invitation.status == InvitationStatus.ACCEPTED
    assert CustomerRelationship.objects.active().get(customer=admin.customer).partner == partner


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-2")
def test_ac7_direct_invitation_refused_after_the_sender_closed_direct_bill(direct_invitation):
    DirectBillEnrollment.objects.filter(partner=direct_invitation.partner).update(
        status=DirectBillStatus.CLOSED
    )
    admin = f.CustomerAdminFactory()
    with pytest.raises(InvitationNoLongerValid, match="direct-bill account was closed after"):
        accept(admin, direct_invitation)
    assert_unused(direct_invitation, admin.customer)


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-2")
def test_ac7_a_draft_made_before_the_restriction_is_neither_sent_nor_done(staff):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    agent = rf.admin_agent(partner)
    draft = invitation_drafts.customer_invitation_create(actor=agent, kind=InvitationKind.DIRECT)
    direct_bill_restrict(actor=staff, partner=partner, reason="Transition")
    with pytest.raises(DirectBillRestricted, match="send direct reseller invitations"):
        invitation_drafts.customer_invitation_send(
            actor=agent, invitation=draft, to="it@customer.example"
        )
    with pytest.raises(DirectBillRestricted, match="direct-bill account is restricted"):
        invitation_drafts.customer_invitation_done(actor=agent, invitation=draft)
    draft.refresh_from_db()
    assert draft.status == InvitationStatus.DRAFT and draft.sent_to == []
    assert not OutboundEmail.objects.filter(to__contains=["it@customer.example"]).exists()
    invitation_drafts.customer_invitation_cancel(
        actor=agent, invitation=draft
    )  # withdrawing stays possible
    draft.refresh_from_db()
    assert draft.status == InvitationStatus.CANCELLED


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-2")
def test_ac7_a_draft_is_sent_and_done_while_the_sender_is_active(direct_invitation):
    """The allowed path of the re-check (the fixture marked it done; it was sent here)."""
    invitation_drafts.customer_invitation_send(
        actor=direct_invitation.created_by, invitation=direct_invitation, to="it@customer.example"
    )
    direct_invitation.refresh_from_db()
    assert direct_invitation.sent_to == ["it@customer.example"]
    assert direct_invitation.status == InvitationStatus.PENDING


# --- indirect invitations: the reseller's indirect access (EN-7, DB-6) ---------------------------


@pytest.fixture
def indirect_invitation():
    provider = f.ProviderFactory(legal_name="Fabrikam Distribution")
    reseller = rf.reseller(legal_name="Contoso Cloud", revenue_12m_usd=5_000_000)
    rf.accepted(provider, reseller)
    agent = rf.admin_agent(reseller)
    invitation = invitation_drafts.customer_invitation_create(
        actor=agent, kind=InvitationKind.INDIRECT, provider=provider
    )
    return invitation_drafts.customer_invitation_done(actor=agent, invitation=invitation)


def end_indirect_access_by_override(reseller, staff, settings, days=5):
    """DB-6: direct-bill approved on the reseller's tenant; the grace period passes."""
    settings.PROGRAM_RULES = {**settings.PROGRAM_RULES, "DIRECT_OVERRIDE_GRACE_DAYS": days}
    application = direct_bill_application_submit(
        actor=rf.global_admin(reseller), partner=reseller, single_tenant_override=True
    )
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    clock_advance(actor=staff, delta=timedelta(days=days + 1))
    sweep.run_sweep()
    assert reseller.indirect_enrollments.get().status == IndirectStatus.ENDED


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-6")
@pytest.mark.rule("EN-7")
def test_ac7_indirect_invitation_refused_after_the_reseller_lost_indirect_access(
    indirect_invitation, staff, settings
):
    admin = f.CustomerAdminFactory()
    end_indirect_access_by_override(indirect_invitation.partner, staff, settings)
    with pytest.raises(InvitationNoLongerValid) as refusal:
        accept(admin, indirect_invitation)
    assert str(refusal.value).startswith(
        "Contoso Cloud lost its indirect reseller access after sending this invitation"
    )
    assert refusal.value.rule == "EN-7" and "(EN-7)" not in str(refusal.value)
    assert_unused(indirect_invitation, admin.customer)
    assert refused_accepts() == 1


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-6")
def test_ac7_indirect_invitation_accepted_during_the_grace_period(
    indirect_invitation, staff, settings
):
    """The DB-6 grace period keeps indirect access: the invitation is still good."""
    settings.PROGRAM_RULES = {**settings.PROGRAM_RULES, "DIRECT_OVERRIDE_GRACE_DAYS": 5}
    reseller = indirect_invitation.partner
    application = direct_bill_application_submit(
        actor=rf.global_admin(reseller), partner=reseller, single_tenant_override=True
    )
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    admin = f.CustomerAdminFactory()
    accept(admin, indirect_invitation)
    indirect_invitation.refresh_from_db()
    assert indirect_invitation.status == InvitationStatus.ACCEPTED
    assert CustomerRelationship.objects.active().filter(customer=admin.customer).count() == 2


# --- provider partnership invitations (PV-2) ---------------------------------------------------


@pytest.mark.rule("AC-7")
@pytest.mark.rule("PV-2")
@pytest.mark.rule("DB-6")
def test_ac7_partnership_refused_after_the_resellers_indirect_access_ended(staff, settings):
    provider = f.ProviderFactory()
    reseller = rf.reseller(revenue_12m_usd=5_000_000)
    partnership = rf.invited(provider, reseller, expires_at=clock.now() + timedelta(days=30))
    ga = rf.global_admin(reseller)
    end_indirect_access_by_override(reseller, staff, settings)
    with pytest.raises(IndirectResellerRequired) as refusal:
        partnership_services.partnership_accept(
            actor=ga, token=rf.token(links.PARTNERSHIP, partnership.pk)
        )
    assert "your indirect reseller access ended on" in str(refusal.value)
    assert "Direct-bill program override" in str(refusal.value)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.INVITED and partnership.accepted_at is None
    assert not AuditEvent.objects.filter(
        operation="partnership.accept", outcome=Outcome.SUCCESS
    ).exists()


@pytest.mark.rule("AC-7")
@pytest.mark.rule("PV-2")
def test_ac7_partnership_accepted_while_the_reseller_is_active():
    provider = f.ProviderFactory()
    reseller = rf.reseller()
    partnership = rf.invited(provider, reseller, expires_at=clock.now() + timedelta(days=30))
    partnership_services.partnership_accept(
        actor=rf.global_admin(reseller), token=rf.token(links.PARTNERSHIP, partnership.pk)
    )
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACCEPTED


# --- GDAP requests (GD-1) ----------------------------------------------------------------------


@pytest.mark.rule("AC-7")
@pytest.mark.rule("GD-1")
def test_ac7_gdap_approval_refused_once_the_relationship_ended():
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    agent = f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])
    customer = rf.direct_customer(partner)
    admin = f.CustomerAdminFactory(customer=customer)
    kept, ended = (
        gdap_services.gdap_request(
            actor=agent, customer=customer, roles=["directory_readers"], duration_days=30
        )
        for _ in range(2)
    )
    gdap_services.gdap_approve(actor=admin, gdap=kept)  # allowed while the relationship lasts
    CustomerRelationship.objects.filter(partner=partner, customer=customer).update(
        ended_at=clock.now()
    )
    with pytest.raises(GdapNoLongerValid) as refusal:
        gdap_services.gdap_approve(actor=admin, gdap=ended)
    assert str(refusal.value).startswith(
        "Contoso Cloud no longer has a reseller relationship with you"
    )
    ended.refresh_from_db()
    assert ended.status == GdapStatus.PENDING and ended.decided_at is None
    assert AuditEvent.objects.filter(operation="gdap.approve", outcome=Outcome.REFUSED).exists()
    gdap_services.gdap_reject(actor=admin, gdap=ended)  # the customer can still say no
    ended.refresh_from_db()
    assert ended.status == GdapStatus.REJECTED

"""One tenant in both programs (DB-3, DB-6) and pending enrollment requests re-checked when they
are used (AC-7): no path leaves a tenant's direct-bill Active and its indirect reseller
enrollment running without a recorded end of the grace period."""

from datetime import timedelta

import pytest

from core import clock, sweep
from core.models import AuditEvent, OutboundEmail, Outcome
from core.services import clock_advance
from enrollment import capabilities, selectors
from enrollment.exceptions import (
    ChangedSinceRequest,
    DirectBillOverridesIndirect,
    IndirectEnrollmentOpen,
    NewTenantRequired,
    ProfileNotCurrent,
)
from enrollment.models import (
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
)
from enrollment.services.application import (
    direct_bill_application_approve,
    direct_bill_application_reject,
    direct_bill_application_submit,
)
from enrollment.services.decision import indirect_enrollment_approve, indirect_enrollment_decide
from enrollment.services.direct_bill import direct_bill_reactivate, direct_bill_restrict
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from enrollment.services.profile import partner_profile_confirm
from tests import factories as f

pytestmark = pytest.mark.django_db

GRACE_DAYS = 10


@pytest.fixture(autouse=True)
def _short_grace(settings):
    settings.PROGRAM_RULES = {**settings.PROGRAM_RULES, "DIRECT_OVERRIDE_GRACE_DAYS": GRACE_DAYS}


def direct_status(partner):
    return DirectBillEnrollment.objects.get(partner=partner).status


def indirect(partner):
    return IndirectResellerEnrollment.objects.get(partner=partner)


def refused(operation):
    return AuditEvent.objects.filter(operation=operation, outcome=Outcome.REFUSED).count()


def assert_never_both_unbounded(partner):
    """The DB-3/DB-6 invariant: direct-bill Active beside an open indirect enrollment only while
    an approved override has recorded when the indirect access ends."""
    if capabilities.is_direct_bill_active(partner=partner) and selectors.open_indirect_enrollment(
        partner=partner
    ):
        assert selectors.pending_override(partner=partner) is not None


def submit(admin):
    return indirect_enrollment_submit(
        actor=admin,
        partner=admin.partner,
        legal_name=admin.partner.legal_name,
        primary_contact_email="contact@form.example",
    )


def override_direct_bill(admin, staff):
    """DB-6: the tenant applies for direct-bill confirming the override; support approve."""
    application = direct_bill_application_submit(
        actor=admin, partner=admin.partner, single_tenant_override=True
    )
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    application.refresh_from_db()
    return application


# ------------------------------------------------------------------ (a) reactivating direct-bill


@pytest.mark.rule("DB-3")
@pytest.mark.rule("DB-6")
@pytest.mark.parametrize(
    "status, says",
    [
        (IndirectStatus.SUBMITTED, "waiting for a decision"),
        (IndirectStatus.UNDER_REVIEW, "waiting for a decision"),
        (IndirectStatus.APPROVED, "enrollment Approved — agreement to accept"),
        (IndirectStatus.ACTIVE, "enrollment Active"),
    ],
)
def test_db3_reactivation_refused_beside_an_open_indirect_enrollment(
    restricted_partner, staff, status, says
):
    """DB-3: a Restricted tenant with an open indirect reseller enrollment is not made Active
    again; the refusal names the enrollment and changes nothing."""
    f.IndirectEnrollmentFactory(partner=restricted_partner, status=status)
    with pytest.raises(IndirectEnrollmentOpen) as refusal:
        direct_bill_reactivate(actor=staff, partner=restricted_partner, reason="Back")
    assert says in str(refusal.value) and refusal.value.rule == "DB-3"
    assert direct_status(restricted_partner) == DirectBillStatus.RESTRICTED
    assert indirect(restricted_partner).status == status
    assert refused("direct_bill.reactivate") == 1
    assert_never_both_unbounded(restricted_partner)


@pytest.mark.rule("DB-3")
def test_db3_reactivation_allowed_once_the_indirect_enrollment_is_closed(restricted_partner, staff):
    f.IndirectEnrollmentFactory(partner=restricted_partner, status=IndirectStatus.REJECTED)
    direct_bill_reactivate(actor=staff, partner=restricted_partner, reason="Back")
    assert direct_status(restricted_partner) == DirectBillStatus.ACTIVE


@pytest.mark.rule("DB-6")
def test_db6_reactivation_allowed_while_the_override_grace_period_runs(global_admin, staff):
    """The DB-6 override path: direct-bill approved over the indirect enrollment, restricted,
    then reactivated inside the grace period — the end of indirect access is recorded, and it
    still comes."""
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    enrollment = f.IndirectEnrollmentFactory(partner=tenant)
    application = override_direct_bill(global_admin(tenant), staff)
    direct_bill_restrict(actor=staff, partner=tenant, reason="Audit")
    direct_bill_reactivate(actor=staff, partner=tenant, reason="Audit done")
    assert direct_status(tenant) == DirectBillStatus.ACTIVE
    assert_never_both_unbounded(tenant)
    clock_advance(actor=staff, delta=timedelta(days=GRACE_DAYS + 1))
    sweep.run_sweep()
    enrollment.refresh_from_db()
    application.refresh_from_db()
    assert enrollment.status == IndirectStatus.ENDED
    assert application.indirect_access_ended_at is not None


# --------------------------------------- (b) direct-bill approval beside an approved enrollment


@pytest.mark.rule("DB-6")
def test_db6_open_enrollment_not_yet_accepted_needs_the_override(global_admin):
    """Any open indirect enrollment, not only an accepted one, makes the application an
    override that must be confirmed."""
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    f.IndirectEnrollmentFactory(
        partner=tenant, status=IndirectStatus.APPROVED, agreement_accepted_at=None
    )
    admin = global_admin(tenant)
    with pytest.raises(NewTenantRequired) as refusal:
        direct_bill_application_submit(actor=admin, partner=tenant)
    assert "indirect reseller enrollment (Approved — agreement to accept)" in str(refusal.value)
    assert not DirectBillApplication.objects.exists()
    application = direct_bill_application_submit(
        actor=admin, partner=tenant, single_tenant_override=True
    )
    assert application.single_tenant_override


@pytest.mark.rule("DB-6")
@pytest.mark.rule("AC-7")
def test_db6_override_stops_an_approved_enrollment_and_its_agreement_is_refused(
    global_admin, staff
):
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    enrollment = f.IndirectEnrollmentFactory(
        partner=tenant, status=IndirectStatus.APPROVED, agreement_accepted_at=None
    )
    admin = global_admin(tenant)
    application = override_direct_bill(admin, staff)
    assert application.indirect_access_ends_at is not None
    assert direct_status(tenant) == DirectBillStatus.ACTIVE
    with pytest.raises(DirectBillOverridesIndirect) as refusal:
        indirect_enrollment_accept_agreement(actor=admin, partner=tenant)
    message = str(refusal.value)
    assert "can no longer be accepted" in message and refusal.value.rule == "DB-6"
    assert f"{application.indirect_access_ends_at:%d %b %Y}" in message
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED and enrollment.agreement_accepted_at is None
    assert not capabilities.is_indirect_reseller(partner=tenant)
    assert refused("indirect_enrollment.accept_agreement") == 1
    assert_never_both_unbounded(tenant)
    clock_advance(actor=staff, delta=timedelta(days=GRACE_DAYS + 1))
    sweep.run_sweep()
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.ENDED


@pytest.mark.rule("DB-3")
@pytest.mark.rule("AC-7")
def test_db3_agreement_refused_when_direct_bill_is_active_without_override(global_admin):
    """The agreement is the use of the approval: direct-bill Active refuses it (DB-3)."""
    tenant = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=tenant)
    enrollment = f.IndirectEnrollmentFactory(
        partner=tenant, status=IndirectStatus.APPROVED, agreement_accepted_at=None
    )
    with pytest.raises(DirectBillOverridesIndirect, match="became Active after this enrollment"):
        indirect_enrollment_accept_agreement(actor=global_admin(tenant), partner=tenant)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED


@pytest.mark.rule("AC-7")
@pytest.mark.rule("EN-2")
def test_ac7_agreement_rechecks_the_profile(restricted_partner, global_admin):
    admin = global_admin(restricted_partner)
    enrollment = f.IndirectEnrollmentFactory(
        partner=restricted_partner, status=IndirectStatus.APPROVED, agreement_accepted_at=None
    )
    restricted_partner.profile_confirmed_on = clock.today() - timedelta(days=400)
    restricted_partner.save()
    with pytest.raises(ProfileNotCurrent, match="confirm your profile is current"):
        indirect_enrollment_accept_agreement(actor=admin, partner=restricted_partner)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED
    partner_profile_confirm(actor=admin, partner=restricted_partner)
    indirect_enrollment_accept_agreement(actor=admin, partner=restricted_partner)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.ACTIVE


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-6")
def test_ac7_application_approval_rechecks_the_override(global_admin, staff):
    """Applied as a new tenant, then enrolled as indirect reseller before support decided: the
    application was not an override, so approving it now is refused with what changed."""
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    admin = global_admin(tenant)
    application = direct_bill_application_submit(actor=admin, partner=tenant)
    assert not application.single_tenant_override
    f.IndirectEnrollmentFactory(partner=tenant)
    with pytest.raises(ChangedSinceRequest) as refusal:
        direct_bill_application_approve(actor=staff, application_id=application.pk)
    message = str(refusal.value)
    assert "changed after it was submitted" in message
    assert "indirect reseller enrollment (Active)" in message and "Reject it" in message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not DirectBillEnrollment.objects.filter(partner=tenant).exists()
    assert refused("direct_bill_application.approve") == 1
    direct_bill_application_reject(actor=staff, application_id=application.pk, reason=message)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-5")
def test_ac7_application_approval_rechecks_the_revenue(global_admin, staff):
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    application = direct_bill_application_submit(actor=global_admin(tenant), partner=tenant)
    tenant.revenue_12m_usd = 10_000
    tenant.save()
    with pytest.raises(ChangedSinceRequest, match="at least USD 1,000,000"):
        direct_bill_application_approve(actor=staff, application_id=application.pk)
    assert not DirectBillEnrollment.objects.filter(partner=tenant).exists()
    tenant.revenue_12m_usd = 2_000_000
    tenant.save()
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    assert direct_status(tenant) == DirectBillStatus.ACTIVE


# ------------------------------ (c) the pending enrollment decided after direct-bill became Active


@pytest.fixture
def pending_then_overridden(global_admin, staff):
    """A new tenant submits an indirect enrollment (its decision not yet made), then applies for
    direct-bill with the override, which support approve: direct-bill is Active."""
    tenant = f.PartnerFactory(revenue_12m_usd=5_000_000)
    admin = global_admin(tenant)
    enrollment = submit(admin)
    assert enrollment.status == IndirectStatus.SUBMITTED
    override_direct_bill(admin, staff)
    assert direct_status(tenant) == DirectBillStatus.ACTIVE
    return enrollment


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-3")
def test_ac7_decision_task_rejects_when_direct_bill_became_active(pending_then_overridden):
    enrollment = pending_then_overridden
    indirect_enrollment_decide(enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.REJECTED
    assert enrollment.rejection_reason.startswith("This changed after the request was submitted")
    assert "direct-bill account is Active" in enrollment.rejection_reason
    outcome = OutboundEmail.objects.get(subject__contains="rejected")  # EN-5
    assert outcome.to == ["contact@form.example"]
    assert_never_both_unbounded(enrollment.partner)


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-3")
def test_ac7_staff_approval_refused_when_direct_bill_became_active(pending_then_overridden, staff):
    enrollment = pending_then_overridden
    with pytest.raises(ChangedSinceRequest) as refusal:
        indirect_enrollment_approve(actor=staff, enrollment_id=enrollment.pk)
    assert "direct-bill account is Active" in str(refusal.value)
    assert "Reject it with that reason" in str(refusal.value)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.SUBMITTED and enrollment.decided_at is None
    assert refused("indirect_enrollment.approve") == 1


@pytest.mark.rule("AC-7")
@pytest.mark.rule("DB-3")
def test_ac7_review_deadline_rejects_instead_of_approving(restricted_partner, staff):
    """EN-4's automatic approval after 5 business days re-checks the rules first."""
    enrollment = f.IndirectEnrollmentFactory(
        partner=restricted_partner,
        status=IndirectStatus.UNDER_REVIEW,
        decided_at=None,
        agreement_accepted_at=None,
        review_deadline=clock.now() - timedelta(hours=1),
    )
    other = f.IndirectEnrollmentFactory(
        status=IndirectStatus.UNDER_REVIEW,
        decided_at=None,
        agreement_accepted_at=None,
        review_deadline=clock.now() - timedelta(hours=1),
    )
    DirectBillEnrollment.objects.filter(partner=restricted_partner).update(
        status=DirectBillStatus.ACTIVE
    )
    sweep.run_sweep()
    enrollment.refresh_from_db()
    other.refresh_from_db()
    assert enrollment.status == IndirectStatus.REJECTED
    assert "direct-bill account is Active" in enrollment.rejection_reason
    assert other.status == IndirectStatus.APPROVED  # the rules still hold for this one

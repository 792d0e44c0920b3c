"""Direct-bill: DB-1 (restrict/reactivate by support, support requests), DB-2 (the guard and the
sandbox), DB-5/DB-6 (applications and the single-tenant override), closing (TX-1 hook) and the
database triggers of every enrollment state machine."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from core import sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, Notification, Outcome, Role
from core.refusals import Reason
from core.services import clock_advance
from enrollment import capabilities, closing
from enrollment.exceptions import (
    AlreadyDirectBill,
    ClosingBlocked,
    DirectBillRestricted,
    NewTenantRequired,
    ReasonRequired,
    RevenueTooLow,
    SandboxNotAllowed,
    SupportStaffOnly,
)
from enrollment.models import (
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectStatus,
    Sandbox,
    SupportRequest,
    SupportRequestStatus,
)
from enrollment.services.application import (
    direct_bill_application_approve,
    direct_bill_application_reject,
    direct_bill_application_submit,
)
from enrollment.services.direct_bill import (
    direct_bill_close,
    direct_bill_reactivate,
    direct_bill_restrict,
)
from enrollment.services.sandbox import sandbox_create
from enrollment.services.support import support_request_close, support_request_create
from tests import factories as f

pytestmark = pytest.mark.django_db


def status_of(partner):
    return DirectBillEnrollment.objects.get(partner=partner).status


# ------------------------------------------------------------------------------ DB-1


@pytest.mark.rule("DB-1")
def test_db1_staff_restricts_with_reason_and_partner_is_told(
    direct_partner, global_admin, staff, committed
):
    admin = global_admin(direct_partner)
    with committed():
        direct_bill_restrict(actor=staff, partner=direct_partner, reason="Transitioning")
    enrollment = DirectBillEnrollment.objects.get(partner=direct_partner)
    assert enrollment.status == DirectBillStatus.RESTRICTED
    assert enrollment.status_reason == "Transitioning"
    event = AuditEvent.objects.get(operation="direct_bill.restrict", outcome=Outcome.SUCCESS)
    assert (event.old_state, event.new_state, event.actor) == ("active", "restricted", staff)
    assert Notification.objects.filter(user=admin, subject__contains="restricted").exists()
    assert any("restricted" in m.subject for m in mail.outbox)
    direct_bill_reactivate(actor=staff, partner=direct_partner, reason="Changed mind")
    assert status_of(direct_partner) == DirectBillStatus.ACTIVE


@pytest.mark.rule("DB-1")
def test_db1_partner_cannot_restrict_and_reason_is_mandatory(direct_partner, global_admin, staff):
    admin = global_admin(direct_partner)
    with pytest.raises(SupportStaffOnly) as refusal:
        direct_bill_restrict(actor=admin, partner=direct_partner, reason="please")
    assert "Only support staff" in str(refusal.value)
    with pytest.raises(ReasonRequired):
        direct_bill_restrict(actor=staff, partner=direct_partner, reason="   ")
    assert status_of(direct_partner) == DirectBillStatus.ACTIVE
    assert (
        AuditEvent.objects.filter(operation="direct_bill.restrict", outcome=Outcome.REFUSED).count()
        == 2
    )


@pytest.mark.rule("DB-1")
def test_db1_closed_cannot_be_restricted(direct_partner, staff):
    direct_bill_close(actor=staff, partner=direct_partner, reason="Done")
    from core.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        direct_bill_restrict(actor=staff, partner=direct_partner, reason="x")
    assert status_of(direct_partner) == DirectBillStatus.CLOSED


@pytest.mark.rule("DB-1")
def test_db1_admin_action_restricts_many_with_a_reason(client, staff):
    partners = [f.DirectBillEnrollmentFactory().partner for _ in range(2)]
    ids = [str(DirectBillEnrollment.objects.get(partner=p).pk) for p in partners]
    client.force_login(staff)
    url = reverse("admin:enrollment_directbillenrollment_changelist")
    page = client.post(url, {"action": "restrict", "_selected_action": ids})
    assert page.status_code == 200 and b"Reason" in page.content  # the intermediate page
    empty = client.post(url, {"action": "restrict", "_selected_action": ids, "apply": "1"})
    assert b"A reason is required" in empty.content
    assert {status_of(p) for p in partners} == {DirectBillStatus.ACTIVE}
    done = client.post(
        url,
        {"action": "restrict", "_selected_action": ids, "apply": "1", "reason": "Asked by phone"},
        follow=True,
    )
    assert b"Restricted: 2." in done.content
    assert {status_of(p) for p in partners} == {DirectBillStatus.RESTRICTED}
    client.post(
        url,
        {"action": "reactivate", "_selected_action": ids[:1], "apply": "1", "reason": "Back"},
    )
    assert status_of(partners[0]) == DirectBillStatus.ACTIVE


@pytest.mark.rule("DB-1")
def test_db1_admin_is_for_staff_only(client, direct_partner, global_admin):
    client.force_login(global_admin(direct_partner))
    response = client.get(reverse("admin:enrollment_directbillenrollment_changelist"))
    assert response.status_code == 302  # the admin sends non-staff to its login


@pytest.mark.rule("DB-1")
def test_db1_contact_support_request_is_closed_when_staff_restrict(
    client, direct_partner, global_admin, staff
):
    client.force_login(global_admin(direct_partner))
    response = client.post(
        reverse("contact_support"),
        {"topic": "restrict_direct_bill", "message": "Please restrict us."},
        follow=True,
    )
    assert b"is sent" in response.content
    request = SupportRequest.objects.get(partner=direct_partner)
    assert request.status == SupportRequestStatus.OPEN
    client.force_login(staff)
    listing = client.get(reverse("admin:enrollment_supportrequest_changelist"))
    assert b"Please restrict us." in listing.content
    direct_bill_restrict(actor=staff, partner=direct_partner, reason="As asked")
    request.refresh_from_db()
    assert request.status == SupportRequestStatus.CLOSED
    assert request.closed_by == staff and "As asked" in request.resolution


@pytest.mark.rule("DB-1")
def test_db1_staff_close_support_request_in_admin(client, direct_partner, global_admin, staff):
    request = support_request_create(
        actor=global_admin(direct_partner), partner=direct_partner, topic="other", message="Hi"
    )
    client.force_login(staff)
    client.post(
        reverse("admin:enrollment_supportrequest_changelist"),
        {"action": "close", "_selected_action": [request.pk], "apply": "1", "reason": "Answered"},
    )
    request.refresh_from_db()
    assert request.status == SupportRequestStatus.CLOSED and request.resolution == "Answered"


def test_contact_support_form_errors_and_roles(client, direct_partner, make_user):
    client.force_login(make_user(direct_partner, Role.GLOBAL_ADMIN))
    response = client.post(reverse("contact_support"), {"topic": "bogus", "message": ""})
    assert response.status_code == 400
    assert SupportRequest.objects.count() == 0
    client.force_login(make_user(direct_partner, Role.SALES_AGENT))
    response = client.post(
        reverse("contact_support"), {"topic": "other", "message": "hello"}, follow=True
    )
    assert response.status_code == 403  # the 403 page, with the refusal's sentence
    assert str(RoleRequired((Role.GLOBAL_ADMIN, Role.ADMIN_AGENT))) in response.content.decode()
    assert SupportRequest.objects.count() == 0


# ------------------------------------------------------------------------------ DB-2


@pytest.mark.rule("DB-2")
def test_db2_guard_refuses_when_restricted_and_allows_when_active(
    direct_partner, restricted_partner
):
    capabilities.require_direct_bill_active(partner=direct_partner, action="purchase new products")
    with pytest.raises(DirectBillRestricted) as refusal:
        capabilities.require_direct_bill_active(
            partner=restricted_partner, action="purchase new products"
        )
    assert "direct-bill account is restricted" in str(refusal.value)
    assert refusal.value.code == "direct_bill_restricted"


@pytest.mark.rule("DB-2")
def test_db2_sandbox_created_when_active_refused_when_restricted(
    client, direct_partner, restricted_partner, global_admin
):
    client.force_login(global_admin(restricted_partner))
    page = client.get(reverse("account_programs"))
    assert b"Create sandbox" not in page.content  # never offered while refused
    response = client.post(reverse("sandbox_create"), follow=True)
    assert "direct-bill account is restricted" in response.content.decode()
    assert not Sandbox.objects.filter(partner=restricted_partner).exists()
    assert AuditEvent.objects.filter(operation="sandbox.create", outcome="refused").exists()

    client.force_login(global_admin(direct_partner))
    response = client.post(reverse("sandbox_create"), follow=True)
    assert "integration sandbox" in response.content.decode()
    assert Sandbox.objects.filter(partner=direct_partner).count() == 1
    response = client.post(reverse("sandbox_create"), follow=True)
    assert "already has an integration sandbox" in response.content.decode()


@pytest.mark.rule("DB-2")
def test_db2_sandbox_needs_direct_bill(partner, global_admin):
    with pytest.raises(SandboxNotAllowed):
        sandbox_create(actor=global_admin(partner), partner=partner)


# ------------------------------------------------------------------------------ closing


def test_close_refused_while_a_check_blocks_then_allowed(direct_partner, global_admin, agent):
    admin = global_admin(direct_partner)
    blocked = {"on": True}

    def check(partner):
        return ["2 customers still have direct-bill subscriptions"] if blocked["on"] else []

    closing.register(check)
    try:
        with pytest.raises(ClosingBlocked) as refusal:
            direct_bill_close(actor=admin, partner=direct_partner, reason="done")
        assert "2 customers still have direct-bill subscriptions" in str(refusal.value)
        assert status_of(direct_partner) == DirectBillStatus.ACTIVE
        with pytest.raises(RoleRequired):
            direct_bill_close(actor=agent(direct_partner), partner=direct_partner, reason="x")
        blocked["on"] = False
        direct_bill_close(actor=admin, partner=direct_partner, reason="done")
        assert status_of(direct_partner) == DirectBillStatus.CLOSED
    finally:
        closing._checks.remove(check)


def test_close_button_on_programs_page(client, restricted_partner, global_admin):
    client.force_login(global_admin(restricted_partner))
    assert b"Close direct-bill" in client.get(reverse("account_programs")).content
    response = client.post(reverse("direct_bill_close"), {"reason": "All moved"}, follow=True)
    assert b"is closed" in response.content
    assert status_of(restricted_partner) == DirectBillStatus.CLOSED


@pytest.mark.rule("TX-1")
def test_tx1_programs_page_lists_why_closing_waits_without_a_close_button(
    client, restricted_partner, global_admin
):
    """The Programs page offers Close direct-bill only when the service's check passes;
    otherwise it lists the reasons, each with its Why? link to its rule."""

    def check(partner):
        return [Reason("2 customer(s) have no relationship with a provider.", "TX-1")]

    client.force_login(global_admin(restricted_partner))
    closing.register(check)
    try:
        page = client.get(reverse("account_programs")).content.decode()
    finally:
        closing._checks.remove(check)
    assert 'data-testid="closing-blockers"' in page
    assert "2 customer(s) have no relationship with a provider." in page
    assert 'class="why-link" href="/help/rules/#TX-1"' in page
    assert "Close direct-bill</button>" not in page
    page = client.get(reverse("account_programs")).content.decode()
    assert "Close direct-bill</button>" in page and "closing-blockers" not in page


def test_close_another_partners_enrollment_is_refused(direct_partner, global_admin):
    other_admin = global_admin(f.PartnerFactory())
    with pytest.raises(SupportStaffOnly):
        direct_bill_close(actor=other_admin, partner=direct_partner, reason="x")


# ------------------------------------------------------------------------------ DB-5 / DB-6


@pytest.mark.rule("DB-5")
def test_db5_new_tenant_with_revenue_applies_and_staff_approve(global_admin, staff, settings):
    tenant = f.PartnerFactory(revenue_12m_usd=1_000_000)
    application = direct_bill_application_submit(actor=global_admin(tenant), partner=tenant)
    assert application.status == ApplicationStatus.SUBMITTED
    assert not application.single_tenant_override
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    assert status_of(tenant) == DirectBillStatus.ACTIVE


@pytest.mark.rule("DB-5")
def test_db5_revenue_below_minimum_is_refused(global_admin, client):
    tenant = f.PartnerFactory(revenue_12m_usd=999_999)
    admin = global_admin(tenant)
    with pytest.raises(RevenueTooLow) as refusal:
        direct_bill_application_submit(actor=admin, partner=tenant)
    assert "USD 1,000,000" in str(refusal.value)
    client.force_login(admin)
    response = client.post(reverse("direct_bill_apply"), {}, follow=True)
    assert "USD 1,000,000" in response.content.decode()
    assert not DirectBillApplication.objects.exists()


@pytest.mark.rule("DB-5")
def test_db5_existing_direct_bill_tenant_needs_a_new_tenant(direct_partner, global_admin):
    with pytest.raises(AlreadyDirectBill):
        direct_bill_application_submit(actor=global_admin(direct_partner), partner=direct_partner)


@pytest.mark.rule("DB-5")
@pytest.mark.rule("DB-6")
def test_db6_indirect_reseller_tenant_is_warned_and_must_confirm_override(global_admin, client):
    reseller = f.PartnerFactory(revenue_12m_usd=5_000_000)
    f.IndirectEnrollmentFactory(partner=reseller)
    admin = global_admin(reseller)
    with pytest.raises(NewTenantRequired) as refusal:
        direct_bill_application_submit(actor=admin, partner=reseller)
    assert "new tenant" in str(refusal.value)
    client.force_login(admin)
    page = client.get(reverse("direct_bill_apply")).content.decode()
    assert "We recommend two tenants" in page
    client.post(reverse("direct_bill_apply"), {})
    assert not DirectBillApplication.objects.exists()
    client.post(reverse("direct_bill_apply"), {"single_tenant_override": "on"})
    assert DirectBillApplication.objects.get(partner=reseller).single_tenant_override


@pytest.mark.rule("DB-6")
def test_db6_override_ends_indirect_access_after_grace_period(global_admin, staff, settings):
    reseller = f.PartnerFactory(revenue_12m_usd=5_000_000)
    indirect = f.IndirectEnrollmentFactory(partner=reseller)
    application = direct_bill_application_submit(
        actor=global_admin(reseller), partner=reseller, single_tenant_override=True
    )
    direct_bill_application_approve(actor=staff, application_id=application.pk)
    application.refresh_from_db()
    grace = settings.PROGRAM_RULES["DIRECT_OVERRIDE_GRACE_DAYS"]
    assert application.indirect_access_ends_at - application.decided_at == timedelta(days=grace)
    assert status_of(reseller) == DirectBillStatus.ACTIVE
    clock_advance(actor=staff, delta=timedelta(days=grace - 1))
    sweep.run_sweep()
    indirect.refresh_from_db()
    assert indirect.status == IndirectStatus.ACTIVE  # both during the grace period
    assert capabilities.is_indirect_reseller(partner=reseller)
    clock_advance(actor=staff, delta=timedelta(days=2))
    sweep.run_sweep()
    indirect.refresh_from_db()
    assert indirect.status == IndirectStatus.ENDED
    assert not capabilities.is_indirect_reseller(partner=reseller)
    sweep.run_sweep()  # idempotent
    assert AuditEvent.objects.filter(operation="indirect_enrollment.end").count() == 1


def test_direct_bill_application_reject_needs_reason(global_admin, staff):
    tenant = f.PartnerFactory(revenue_12m_usd=2_000_000)
    application = direct_bill_application_submit(actor=global_admin(tenant), partner=tenant)
    with pytest.raises(ReasonRequired):
        direct_bill_application_reject(actor=staff, application_id=application.pk, reason="")
    direct_bill_application_reject(
        actor=staff, application_id=application.pk, reason="Revenue not verified"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED


# ------------------------------------------------------------------------------ FSM triggers


def _raw_update(table, status, pk):
    with pytest.raises(Exception) as failure, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s WHERE id = %s", [status, pk])
    assert "Invalid transition" in str(failure.value)


def test_fsm_triggers_refuse_illegal_raw_sql_updates(global_admin, staff):
    direct = f.DirectBillEnrollmentFactory(status=DirectBillStatus.CLOSED)
    _raw_update("enrollment_directbillenrollment", "active", direct.pk)
    rejected = f.IndirectEnrollmentFactory(status=IndirectStatus.REJECTED)
    _raw_update("enrollment_indirectresellerenrollment", "approved", rejected.pk)
    active = f.IndirectEnrollmentFactory(status=IndirectStatus.ACTIVE)
    _raw_update("enrollment_indirectresellerenrollment", "submitted", active.pk)
    partner = f.PartnerFactory()
    request = support_request_create(
        actor=global_admin(partner), partner=partner, topic="other", message="x"
    )
    support_request_close(actor=staff, request_id=request.pk)
    _raw_update("enrollment_supportrequest", "open", request.pk)
    tenant = f.PartnerFactory(revenue_12m_usd=2_000_000)
    application = direct_bill_application_submit(actor=global_admin(tenant), partner=tenant)
    direct_bill_application_reject(actor=staff, application_id=application.pk, reason="r")
    _raw_update("enrollment_directbillapplication", "approved", application.pk)
    # A legal move passes the trigger.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enrollment_indirectresellerenrollment SET status='ended' WHERE id=%s",
            [active.pk],
        )

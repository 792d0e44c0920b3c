"""Indirect reseller enrollment: EN-1..EN-9 and DB-3/DB-4, through services, pages, the
decision task, the admin and the sweep."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from core import clock, sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, Notification, Outcome, Role
from core.services import clock_advance
from enrollment.exceptions import (
    AgreementNotAvailable,
    DirectBillStillActive,
    EnrollmentNotPending,
    ProfileNotCurrent,
    ReasonRequired,
    SupportStaffOnly,
)
from enrollment.models import IndirectResellerEnrollment, IndirectStatus
from enrollment.services.decision import indirect_enrollment_approve, indirect_enrollment_reject
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from enrollment.services.support import support_request_create
from tests import factories as f

pytestmark = pytest.mark.django_db


def submit(user, partner=None, legal_name=None, email="contact@form.example"):
    partner = partner or user.partner
    return indirect_enrollment_submit(
        actor=user,
        partner=partner,
        legal_name=legal_name or partner.legal_name,
        primary_contact_email=email,
    )


def enrollments(partner):
    return IndirectResellerEnrollment.objects.filter(partner=partner)


# ------------------------------------------------------------------------------ EN-1


@pytest.mark.rule("EN-1")
def test_en1_only_a_global_admin_enrolls(client, restricted_partner, make_user, committed):
    agent = make_user(restricted_partner, Role.ADMIN_AGENT)
    with pytest.raises(RoleRequired) as refusal:
        submit(agent)
    assert str(refusal.value) == "Only a Global admin can do this."
    assert not enrollments(restricted_partner).exists()
    client.force_login(agent)
    page = client.get(reverse("account_programs")).content.decode()
    assert "Get started" not in page and "Only a Global admin can enroll" in page
    assert client.get(reverse("indirect_enroll")).status_code == 403
    assert client.post(reverse("indirect_enroll"), {"legal_name": "x"}).status_code == 403

    admin = make_user(restricted_partner, Role.GLOBAL_ADMIN)
    client.force_login(admin)
    assert "Get started" in client.get(reverse("account_programs")).content.decode()
    with committed():
        response = client.post(
            reverse("indirect_enroll"),
            {"legal_name": restricted_partner.legal_name, "primary_contact_email": "a@b.example"},
            follow=True,
        )
    assert enrollments(restricted_partner).get().status == IndirectStatus.APPROVED
    assert "queued for a decision" in response.content.decode()
    page = client.get(reverse("agreements")).content.decode()
    assert "Accept agreement" in page


# ------------------------------------------------------------------------------ EN-2


@pytest.mark.rule("EN-2")
def test_en2_stale_profile_is_refused_until_confirmed(client, restricted_partner, global_admin):
    restricted_partner.profile_confirmed_on = clock.today() - timedelta(days=366)
    restricted_partner.save()
    admin = global_admin(restricted_partner)
    with pytest.raises(ProfileNotCurrent) as refusal:
        submit(admin)
    assert "confirm your profile is current" in str(refusal.value)
    assert not enrollments(restricted_partner).exists()
    client.force_login(admin)
    page = client.get(reverse("indirect_enroll")).content.decode()
    assert "confirm your profile is current" in page
    client.post(reverse("profile_confirm"))
    restricted_partner.refresh_from_db()
    assert restricted_partner.profile_confirmed_on == clock.today()
    assert submit(admin).created


@pytest.mark.rule("EN-2")
def test_en2_missing_partner_id_is_refused(restricted_partner, global_admin):
    restricted_partner.partner_id = ""
    restricted_partner.save()
    with pytest.raises(ProfileNotCurrent) as refusal:
        submit(global_admin(restricted_partner))
    assert "add your PartnerID" in str(refusal.value)


@pytest.mark.rule("EN-2")
def test_en2_profile_page_edits_with_inline_errors(client, restricted_partner, make_user):
    admin = make_user(restricted_partner, Role.GLOBAL_ADMIN)
    client.force_login(admin)
    url = reverse("account_profile")
    bad = client.post(
        url,
        {"legal_name": "", "partner_id": "12ab", "country": "US", "primary_contact_email": "x"},
    )
    assert bad.status_code == 400 and b"A PartnerID is 6 or 7 digits." in bad.content
    taken = f.PartnerFactory().partner_id
    dup = client.post(
        url,
        {
            "legal_name": "N",
            "partner_id": taken,
            "country": "US",
            "primary_contact_email": "a@b.example",
        },
        follow=True,
    )
    assert b"belongs to another organisation" in dup.content
    ok = client.post(
        url,
        {
            "legal_name": "New Name Ltd",
            "partner_id": "7777777",
            "country": "gb",
            "primary_contact_email": "Boss@New.example",
        },
        follow=True,
    )
    assert b"is saved" in ok.content
    restricted_partner.refresh_from_db()
    assert (restricted_partner.legal_name, restricted_partner.country) == ("New Name Ltd", "GB")
    client.force_login(make_user(restricted_partner, Role.ADMIN_AGENT))
    refused = client.post(
        url,
        {
            "legal_name": "X",
            "partner_id": "1111111",
            "country": "US",
            "primary_contact_email": "a@b.example",
        },
    )
    assert refused.status_code == 403
    restricted_partner.refresh_from_db()
    assert restricted_partner.legal_name == "New Name Ltd"


# ------------------------------------------------------------------------------ DB-3 / DB-4


@pytest.mark.rule("DB-3")
def test_db3_active_direct_bill_cannot_enroll(client, direct_partner, global_admin):
    admin = global_admin(direct_partner)
    with pytest.raises(DirectBillStillActive) as refusal:
        submit(admin)
    assert "Ask support to restrict" in str(refusal.value)
    assert "new tenant" in str(refusal.value)
    assert not enrollments(direct_partner).exists()
    client.force_login(admin)
    programs = client.get(reverse("account_programs")).content.decode()
    assert "Ask support to restrict" in programs
    response = client.post(
        reverse("indirect_enroll"),
        {"legal_name": direct_partner.legal_name, "primary_contact_email": "a@b.example"},
    )
    assert "Ask support to restrict" in response.content.decode()
    assert not enrollments(direct_partner).exists()


@pytest.mark.rule("DB-4")
def test_db4_new_tenant_enrolls_without_restriction(partner, global_admin, committed):
    with committed():
        enrollment = submit(global_admin(partner))
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED


# ------------------------------------------------------------------------------ EN-3


@pytest.mark.rule("EN-3")
def test_en3_second_submit_returns_the_same_enrollment(restricted_partner, global_admin):
    admin = global_admin(restricted_partner)
    first = submit(admin)
    second = submit(admin)
    assert first.pk == second.pk and first.created and not second.created
    assert enrollments(restricted_partner).count() == 1


# ------------------------------------------------------------------------------ EN-4


@pytest.mark.rule("EN-4")
def test_en4_matching_request_is_approved_at_once(restricted_partner, global_admin, committed):
    with committed():
        enrollment = submit(global_admin(restricted_partner))
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED
    assert enrollment.decided_by is None
    ops = list(
        AuditEvent.objects.filter(partner=restricted_partner)
        .order_by("id")
        .values_list("operation", flat=True)
    )
    assert ops == ["indirect_enrollment.submit", "indirect_enrollment.approve"]


def _next_weekday(weekday: int, hour: int = 10) -> datetime:
    now = clock.now()
    days = (weekday - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.rule("EN-4")
def test_en4_review_is_approved_by_sweep_after_5_business_days_skipping_weekend(
    restricted_partner, global_admin, staff, committed
):
    thursday = _next_weekday(3)
    clock_advance(actor=staff, delta=thursday - clock.now())
    with committed():
        enrollment = submit(global_admin(restricted_partner), legal_name="Other Name Inc")
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.UNDER_REVIEW
    assert "differs from the partner profile" in enrollment.review_reason
    # Thu + 5 business days = next Thu (Sat and Sun skipped).
    lag = enrollment.review_deadline - (thursday + timedelta(days=7))
    assert timedelta(0) <= lag < timedelta(minutes=1)
    assert enrollment.review_deadline.weekday() == 3
    clock_advance(actor=staff, delta=thursday + timedelta(days=6) - clock.now())  # Wednesday
    sweep.run_sweep()
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.UNDER_REVIEW
    clock_advance(actor=staff, delta=thursday + timedelta(days=7, minutes=2) - clock.now())
    with committed():
        fired = sweep.run_sweep()
    assert fired["enrollment.tasks.approve_expired_reviews"] == 1
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED
    assert sweep.run_sweep()["enrollment.tasks.approve_expired_reviews"] == 0
    event = AuditEvent.objects.get(operation="indirect_enrollment.approve")
    assert event.actor is None and "5 business days" in event.detail
    assert any("approved" in m.subject for m in mail.outbox)


@pytest.mark.rule("EN-4")
def test_en4_sweep_decides_a_submitted_enrollment_whose_message_was_lost(
    restricted_partner, global_admin, staff, monkeypatch
):
    from enrollment.services import indirect

    monkeypatch.setattr(indirect, "enqueue", lambda *a, **k: None)  # the broker lost it
    enrollment = submit(global_admin(restricted_partner))
    assert enrollment.status == IndirectStatus.SUBMITTED
    clock_advance(actor=staff, delta=timedelta(minutes=1))
    fired = sweep.run_sweep()
    assert fired["enrollment.tasks.decide_submitted_enrollments"] == 1
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED
    assert sweep.run_sweep()["enrollment.tasks.decide_submitted_enrollments"] == 0


@pytest.mark.rule("EN-4")
def test_en4_staff_approve_and_reject_with_reason_in_admin(
    client, restricted_partner, global_admin, staff, committed
):
    with committed():
        enrollment = submit(global_admin(restricted_partner), legal_name="Mismatch Ltd")
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.UNDER_REVIEW
    client.force_login(staff)
    url = reverse("admin:enrollment_indirectresellerenrollment_changelist")
    listing = client.get(url, {"decision": "waiting"})
    assert b"Mismatch Ltd" in listing.content
    page = client.post(url, {"action": "reject", "_selected_action": [enrollment.pk]})
    assert b"Reason" in page.content
    client.post(url, {"action": "reject", "_selected_action": [enrollment.pk], "apply": "1"})
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.UNDER_REVIEW  # no reason, nothing changed
    with committed():
        client.post(
            url,
            {
                "action": "reject",
                "_selected_action": [enrollment.pk],
                "apply": "1",
                "reason": "The legal name does not match our records.",
            },
        )
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.REJECTED
    assert enrollment.decided_by == staff
    rejection = [m for m in mail.outbox if "rejected" in m.subject]
    assert rejection and "does not match our records" in rejection[0].body
    assert rejection[0].to == ["contact@form.example"]
    # Rejected is final; a new submission is a new request, which staff approve.
    again = submit(global_admin(restricted_partner), legal_name="Mismatch Ltd")
    assert again.pk != enrollment.pk
    response = client.post(url, {"action": "approve", "_selected_action": [again.pk]}, follow=True)
    assert b"Approved: 1." in response.content
    again.refresh_from_db()
    assert again.status == IndirectStatus.APPROVED and again.decided_by == staff
    response = client.post(url, {"action": "approve", "_selected_action": [again.pk]}, follow=True)
    assert b"not waiting for a decision" in response.content


@pytest.mark.rule("EN-4")
def test_en4_reject_requires_reason_and_staff(restricted_partner, global_admin, staff):
    admin = global_admin(restricted_partner)
    enrollment = submit(admin, legal_name="Other")
    with pytest.raises(ReasonRequired):
        indirect_enrollment_reject(actor=staff, enrollment_id=enrollment.pk, reason="")
    with pytest.raises(SupportStaffOnly):
        indirect_enrollment_approve(actor=admin, enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.SUBMITTED
    indirect_enrollment_approve(actor=staff, enrollment_id=enrollment.pk)
    with pytest.raises(EnrollmentNotPending):
        indirect_enrollment_reject(actor=staff, enrollment_id=enrollment.pk, reason="x")


# ------------------------------------------------------------------------------ EN-5


@pytest.mark.rule("EN-5")
def test_en5_outcome_emailed_to_form_contact_and_notified(
    restricted_partner, global_admin, committed
):
    admin = global_admin(restricted_partner)
    with committed():
        submit(admin, email="Primary@Form.example")
    approved = [m for m in mail.outbox if "approved" in m.subject]
    assert len(approved) == 1 and approved[0].to == ["primary@form.example"]
    assert restricted_partner.primary_contact_email not in approved[0].to
    assert "Agreements" in approved[0].body
    assert Notification.objects.filter(user=admin, subject__contains="approved").exists()


# ------------------------------------------------------------------------------ EN-6


@pytest.mark.rule("EN-6")
def test_en6_program_info_shows_both_programs_when_transitioning(
    client, restricted_partner, global_admin, committed
):
    admin = global_admin(restricted_partner)
    with committed():
        submit(admin)
    client.force_login(admin)
    page = client.get(reverse("program_info")).content.decode()
    assert "CSP direct bill partner" in page and "Restricted" in page
    assert "Indirect reseller" in page and "Approved" in page
    assert "Submitted:" in page and "Enrolled:" in page


@pytest.mark.rule("EN-6")
def test_en6_provider_sees_indirect_provider_program(client, make_user):
    provider = f.ProviderFactory()
    client.force_login(make_user(provider, Role.GLOBAL_ADMIN))
    page = client.get(reverse("program_info")).content.decode()
    assert "Indirect provider" in page and "Active" in page
    assert "CSP direct bill partner" not in page


# ------------------------------------------------------------------------------ EN-7 / EN-8


@pytest.mark.rule("EN-7")
@pytest.mark.rule("EN-8")
def test_en7_en8_agreement_accepted_by_global_admin_turns_capabilities_on(
    client, restricted_partner, make_user, committed
):
    admin = make_user(restricted_partner, Role.GLOBAL_ADMIN)
    agent = make_user(restricted_partner, Role.ADMIN_AGENT)
    client.force_login(admin)
    assert (
        b"Microsoft Partner Agreement (indirect reseller)"
        not in client.get(reverse("agreements")).content
    )
    response = client.post(reverse("agreement_accept"), follow=True)
    assert b"There is no indirect reseller agreement to accept" in response.content
    with committed():
        submit(admin)
    page = client.get(reverse("agreements")).content.decode()
    assert "Microsoft Partner Agreement (indirect reseller)" in page and "Accept agreement" in page
    nav_link = f'href="{reverse("indirect_providers")}"'
    assert nav_link not in page  # EN-8: not yet in the nav
    client.force_login(agent)
    assert "Accept agreement" not in client.get(reverse("agreements")).content.decode()
    with pytest.raises(RoleRequired):
        indirect_enrollment_accept_agreement(actor=agent, partner=restricted_partner)
    client.force_login(admin)
    response = client.post(reverse("agreement_accept"), follow=True).content.decode()
    assert "You accepted the indirect reseller agreement" in response
    enrollment = enrollments(restricted_partner).get()
    assert enrollment.status == IndirectStatus.ACTIVE and enrollment.agreement_accepted_by == admin
    assert nav_link in response  # EN-8: now in the left nav
    with pytest.raises(AgreementNotAvailable):
        indirect_enrollment_accept_agreement(actor=admin, partner=restricted_partner)


# ------------------------------------------------------------------------------ EN-9


@pytest.mark.rule("EN-9")
def test_en9_incentives_invitation_within_30_days_once(
    restricted_partner, global_admin, committed, settings
):
    with committed():
        enrollment = submit(global_admin(restricted_partner))
    mail.outbox.clear()
    with committed():
        fired = sweep.run_sweep()
    assert fired["enrollment.tasks.invite_to_incentives"] == 1
    enrollment.refresh_from_db()
    days = settings.PROGRAM_RULES["INCENTIVES_INVITATION_DAYS"]
    assert enrollment.incentives_invited_at - enrollment.decided_at <= timedelta(days=days)
    invite = [m for m in mail.outbox if "incentives" in m.subject]
    assert len(invite) == 1 and invite[0].to == [restricted_partner.primary_contact_email]
    assert "Direct-bill incentives remain a separate enrollment" in invite[0].body
    assert sweep.run_sweep()["enrollment.tasks.invite_to_incentives"] == 0


@pytest.mark.rule("EN-9")
def test_en9_no_invitation_before_approval(restricted_partner, global_admin, monkeypatch):
    from enrollment.services import indirect

    monkeypatch.setattr(indirect, "enqueue", lambda *a, **k: None)
    submit(global_admin(restricted_partner), legal_name="Different")
    from enrollment.tasks import invite_to_incentives

    assert invite_to_incentives(clock.now()) == 0


# ------------------------------------------------------------------------------ pages


def test_dashboard_panel_shows_program_status_and_next_step(client, direct_partner, global_admin):
    client.force_login(global_admin(direct_partner))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="program-panel"' in page
    assert "ask support to restrict" in page


def test_account_settings_nav_and_pages_for_every_role(client, restricted_partner, make_user):
    for role in Role.values:
        client.force_login(make_user(restricted_partner, role))
        for name in (
            "account_profile",
            "account_programs",
            "program_info",
            "agreements",
            "contact_support",
        ):
            assert client.get(reverse(name)).status_code == 200, (role, name)
        assert client.get(reverse("account_settings")).status_code == 302


def test_partner_pages_refuse_other_personas(client, staff):
    client.force_login(f.CustomerAdminFactory())
    assert client.get(reverse("account_programs")).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("indirect_enroll")).status_code == 403


def test_enroll_form_invalid_input_rerenders(client, restricted_partner, global_admin):
    client.force_login(global_admin(restricted_partner))
    response = client.post(
        reverse("indirect_enroll"), {"legal_name": "", "primary_contact_email": "nope"}
    )
    assert response.status_code == 400
    assert not enrollments(restricted_partner).exists()


def test_refused_submit_is_audited(direct_partner, global_admin):
    with pytest.raises(DirectBillStillActive):
        submit(global_admin(direct_partner))
    event = AuditEvent.objects.get(operation="indirect_enrollment.submit")
    assert event.outcome == Outcome.REFUSED and "direct_bill_active" in event.detail


@pytest.mark.rule("EN-3")
def test_en3_double_post_of_the_form_gives_one_enrollment(client, restricted_partner, make_user):
    client.force_login(make_user(restricted_partner, Role.GLOBAL_ADMIN))
    data = {"legal_name": "Another Name", "primary_contact_email": "twice@form.example"}
    first = client.post(reverse("indirect_enroll"), data, follow=True).content.decode()
    second = client.post(reverse("indirect_enroll"), data, follow=True).content.decode()
    assert "queued for a decision" in first
    assert "You already enrolled: this is the same request" in second
    assert enrollments(restricted_partner).count() == 1
    assert "is already" in client.get(reverse("indirect_enroll"), follow=True).content.decode()


def test_pages_are_constant_query(
    client, restricted_partner, make_user, staff, django_assert_max_num_queries
):
    admin = make_user(restricted_partner, Role.GLOBAL_ADMIN)
    for i in range(15):
        support_request_create(
            actor=admin, partner=restricted_partner, topic="other", message=f"m{i}"
        )
    client.force_login(admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("contact_support")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("account_programs")).status_code == 200
    for _ in range(10):
        f.DirectBillEnrollmentFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("admin:enrollment_directbillenrollment_changelist")).status_code
            == 200
        )
    with django_assert_max_num_queries(20):
        assert client.get(reverse("admin:enrollment_supportrequest_changelist")).status_code == 200


def test_admin_pages_do_not_fail_on_bad_ids(client, staff):
    client.force_login(staff)
    url = reverse("admin:enrollment_indirectresellerenrollment_changelist")
    response = client.post(url, {"action": "approve", "_selected_action": ["999999"]}, follow=True)
    assert response.status_code == 200
    bad = client.post(url, {"action": "reject", "_selected_action": ["abc"]}, follow=True)
    # A non-numeric id selects nothing: back to the list with Django's "select items" message.
    assert bad.redirect_chain == [(url, 302)]
    assert [str(m) for m in bad.context["messages"]] == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    change = client.get(
        reverse("admin:enrollment_indirectresellerenrollment_change", args=[999999]), follow=True
    )
    assert change.status_code == 200  # the admin redirects to the list with a message


@pytest.mark.rule("EN-2")
def test_en2_refused_enrollment_offers_no_enroll_button(client, partner, global_admin):
    """A page that says the enrollment is refused offers no button for it (Programs: no Get
    started; the enrollment page: no Enroll now), only the reasons with their Why? links."""
    partner.partner_id = ""
    partner.save(update_fields=["partner_id"])
    client.force_login(global_admin(partner))
    programs = client.get(reverse("account_programs")).content.decode()
    assert "enroll yet:" in programs and "Get started" not in programs
    enroll = client.get(reverse("indirect_enroll")).content.decode()
    assert 'data-testid="enroll-blockers"' in enroll and 'class="why-link"' in enroll
    assert "Enroll now</button>" not in enroll and 'data-testid="enroll-not-offered"' in enroll

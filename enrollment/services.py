"""Enrollment services: one function per transition (DB-1..DB-6, EN-1..EN-9).

Each service checks its rule, locks the row, checks the transition against the model's table,
changes state, writes the audit event and schedules side effects on commit. Pages, admin
actions, tasks and the sweep all call these functions.

Microsoft's description of the transition (restrict direct-bill, enroll as indirect reseller,
approval within 5 business days, agreement acceptance):
https://learn.microsoft.com/partner-center/enroll/transition-direct-bill-to-indirect-reseller
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import InvalidInput, RuleViolation
from core.fsm import apply_transition, check_transition
from core.models import Partner, Role
from core.roles import require_role
from core.wording import join_clauses

from . import agreements, closing
from .exceptions import (
    AgreementNotAvailable,
    AlreadyDirectBill,
    ChangedSinceRequest,
    ClosingBlocked,
    DirectBillOverridesIndirect,
    DirectBillStillActive,
    EnrollmentNotPending,
    IndirectEnrollmentOpen,
    NewTenantRequired,
    NoDirectBillEnrollment,
    ProfileNotCurrent,
    ReasonRequired,
    RevenueTooLow,
    SandboxExists,
    SandboxNotAllowed,
    SupportRequestClosed,
    SupportStaffOnly,
)
from .models import (
    DIRECT_BILL_APPLICATION_TRANSITIONS,
    DIRECT_BILL_TRANSITIONS,
    INDIRECT_TRANSITIONS,
    OPEN_INDIRECT_STATUSES,
    SUPPORT_REQUEST_TRANSITIONS,
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
    Sandbox,
    SupportRequest,
    SupportRequestStatus,
    SupportTopic,
)


def rule(name):
    return settings.PROGRAM_RULES[name]


def _require_staff(actor):
    if actor is None or not getattr(actor, "is_staff", False):
        raise SupportStaffOnly()


def _require_reason(reason: str, message: str = "") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(message or None)
    return reason


def _locked_partner(partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


# --------------------------------------------------------------------------- partner profile


def profile_problems(partner) -> list[str]:
    """EN-2: what keeps the partner profile from being current (empty when it is)."""
    from django.core.exceptions import ValidationError

    problems = []
    missing = [
        label
        for label, value in (
            ("legal name", partner.legal_name),
            ("country/region", partner.country),
            ("primary contact email", partner.primary_contact_email),
        )
        if not (value or "").strip()
    ]
    if missing:
        problems.append("add the " + ", ".join(missing))
    if not partner.partner_id:
        problems.append("add your PartnerID")
    else:
        try:
            Partner._meta.get_field("partner_id").run_validators(partner.partner_id)
        except ValidationError:
            problems.append("correct your PartnerID (6 or 7 digits)")
    max_age = rule("PROFILE_MAX_AGE_DAYS")
    confirmed = partner.profile_confirmed_on
    if confirmed is None or (clock.today() - confirmed).days > max_age:
        problems.append(f"confirm your profile is current (needed every {max_age} days)")
    return problems


@audit.refusals("partner.profile.update")
def partner_profile_update(
    *, actor, partner, legal_name: str, partner_id: str, country: str, primary_contact_email: str
) -> Partner:
    """Edit the partner profile (Global admin). Validation is the form's; the DB has checks."""
    require_role(actor, Role.GLOBAL_ADMIN)
    with transaction.atomic():
        locked = _locked_partner(partner)
        before = f"{locked.legal_name} / {locked.partner_id or '—'}"
        locked.legal_name = legal_name.strip()
        locked.partner_id = partner_id.strip()
        locked.country = country.strip().upper()
        locked.primary_contact_email = primary_contact_email.strip().lower()
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=["legal_name", "partner_id", "country", "primary_contact_email"]
                )
        except IntegrityError:
            raise InvalidInput("That PartnerID belongs to another organisation.") from None
        audit.record(
            actor=actor,
            partner=locked,
            operation="partner.profile.update",
            obj=locked,
            old_state=before[:64],
            new_state=f"{locked.legal_name} / {locked.partner_id or '—'}"[:64],
        )
    return locked


@audit.refusals("partner.profile.confirm")
def partner_profile_confirm(*, actor, partner) -> Partner:
    """EN-2: a Global admin confirms the profile is current (profile_confirmed_on = today)."""
    require_role(actor, Role.GLOBAL_ADMIN)
    with transaction.atomic():
        locked = _locked_partner(partner)
        before = str(locked.profile_confirmed_on or "")
        locked.profile_confirmed_on = clock.today()
        locked.save(update_fields=["profile_confirmed_on"])
        audit.record(
            actor=actor,
            partner=locked,
            operation="partner.profile.confirm",
            obj=locked,
            old_state=before,
            new_state=str(locked.profile_confirmed_on),
        )
    return locked


# --------------------------------------------------------------------------- direct-bill (DB-1)


def _set_direct_bill_status(*, actor, partner, target, reason, operation):
    with transaction.atomic():
        enrollment = (
            DirectBillEnrollment.objects.select_for_update().filter(partner=partner).first()
        )
        if enrollment is None:
            raise NoDirectBillEnrollment(f"{partner} has no direct-bill enrollment.")
        apply_transition(
            enrollment,
            DIRECT_BILL_TRANSITIONS,
            target,
            label="direct-bill status",
            actor=actor,
            partner=partner,
            operation=operation,
            detail=reason,
            status_reason=reason,
            status_changed_at=clock.now(),
        )
    return enrollment


@audit.refusals("direct_bill.restrict")
def direct_bill_restrict(*, actor, partner, reason: str) -> DirectBillEnrollment:
    """DB-1: support staff move a direct-bill enrollment Active → Restricted, with a reason.

    Open "restrict my account" support requests of the partner are closed with the reason.
    """
    _require_staff(actor)
    reason = _require_reason(reason, "Give a reason for restricting the direct-bill account.")
    with transaction.atomic():
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.RESTRICTED,
            reason=reason,
            operation="direct_bill.restrict",
        )
        _close_requests(actor, partner, SupportTopic.RESTRICT_DIRECT_BILL, f"Restricted: {reason}")
        _notify_status(partner, "restricted", reason)
    return enrollment


@audit.refusals("direct_bill.reactivate")
def direct_bill_reactivate(*, actor, partner, reason: str) -> DirectBillEnrollment:
    """DB-1: support staff move a direct-bill enrollment Restricted → Active, with a reason.

    DB-3/DB-6: refused while the tenant has an open indirect reseller enrollment, unless a
    direct-bill override already set the end of its indirect access.
    """
    _require_staff(actor)
    reason = _require_reason(reason, "Give a reason for reactivating the direct-bill account.")
    with transaction.atomic():
        _require_no_indirect_beside_active_direct_bill(_locked_partner(partner))
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.ACTIVE,
            reason=reason,
            operation="direct_bill.reactivate",
        )
        _close_requests(
            actor, partner, SupportTopic.REACTIVATE_DIRECT_BILL, f"Reactivated: {reason}"
        )
        _notify_status(partner, "active again", reason)
    return enrollment


def _require_no_indirect_beside_active_direct_bill(partner) -> None:
    """DB-3/DB-6: direct-bill may become Active only when the tenant has no open indirect
    reseller enrollment, or when an approved direct-bill override already recorded the end of
    its indirect access (the grace period). No path leaves both programs running unbounded."""
    enrollment = open_indirect_enrollment(partner)
    if enrollment is None or pending_override(partner) is not None:
        return
    if enrollment.status in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
        raise IndirectEnrollmentOpen(
            f"{partner} has an indirect reseller enrollment waiting for a decision (submitted "
            f"{enrollment.submitted_at:%d %b %Y}). A tenant whose direct-bill account is Active "
            "can't be an indirect reseller: reject that enrollment first, or leave the "
            "direct-bill account Restricted."
        )
    raise IndirectEnrollmentOpen(
        f"{partner} is an indirect reseller on this tenant (enrollment "
        f"{enrollment.get_status_display()}, approved {enrollment.decided_at:%d %b %Y}). A tenant "
        "whose direct-bill account is Active can't also be an indirect reseller, so the "
        "direct-bill account stays Restricted. To run direct-bill again, the partner applies "
        "for direct-bill with a new tenant."
    )


def _notify_status(partner, status_words, reason):
    """Notification rows and the queued email commit with the change; delivery is rung on
    commit by `queue_email`."""
    notifications.notify_partner(
        partner=partner,
        roles=(Role.GLOBAL_ADMIN,),
        subject=f"Your direct-bill account is {status_words}",
        body=f"Support changed your direct-bill account: it is {status_words}. Reason: {reason}",
        url=reverse("account_programs"),
    )


@audit.refusals("direct_bill.close")
def direct_bill_close(*, actor, partner, reason: str) -> DirectBillEnrollment:
    """TX-1: a Global admin of the partner (or support staff) closes the direct-bill
    enrollment once no registered check blocks it (`enrollment.closing.blocking_reasons`);
    in the same transaction every registered close hook runs (TX-2: sandbox and trials gone;
    IR-1: every customer indirect)."""
    if not (actor is not None and actor.is_staff):
        require_role(actor, Role.GLOBAL_ADMIN)
        if actor.partner_id != partner.pk:
            raise SupportStaffOnly("You can close only your own organisation's enrollment.")
    reason = _require_reason(reason, "Give a reason for closing the direct-bill enrollment.")
    with transaction.atomic():
        _locked_partner(partner)
        blocking = closing.blocking_reasons(partner)
        if blocking:
            raise ClosingBlocked(
                "The direct-bill enrollment can't be closed yet: " + join_clauses(blocking) + ".",
                data=blocking,
            )
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.CLOSED,
            reason=reason,
            operation="direct_bill.close",
        )
        closing.run_close_hooks(actor=actor, partner=partner)  # TX-2, IR-1
        _notify_status(partner, "closed", reason)
    return enrollment


# --------------------------------------------------------------------------- support requests


@audit.refusals("support_request.create")
def support_request_create(*, actor, partner, topic: str, message: str) -> SupportRequest:
    """DB-1: a partner asks support for something (e.g. to restrict direct-bill)."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    if topic not in SupportTopic.values:
        raise InvalidInput("Choose what you need help with.")
    message = _require_reason(message, "Describe what you need.")
    with transaction.atomic():
        request = SupportRequest.objects.create(
            partner=partner,
            topic=topic,
            message=message,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=partner,
            operation="support_request.create",
            obj=request,
            new_state=SupportRequestStatus.OPEN,
            detail=request.get_topic_display(),
        )
    return request


def _close_requests(actor, partner, topic, resolution):
    for request in SupportRequest.objects.select_for_update().filter(
        partner=partner, topic=topic, status=SupportRequestStatus.OPEN
    ):
        _close(actor, request, resolution)


def _close(actor, request, resolution):
    apply_transition(
        request,
        SUPPORT_REQUEST_TRANSITIONS,
        SupportRequestStatus.CLOSED,
        actor=actor,
        partner=request.partner,
        operation="support_request.close",
        detail=resolution,
        closed_at=clock.now(),
        closed_by=actor,
        resolution=resolution,
    )


@audit.refusals("support_request.close")
def support_request_close(*, actor, request_id: int, resolution: str = "") -> SupportRequest:
    """DB-1: support staff close a request when they have acted on it."""
    _require_staff(actor)
    with transaction.atomic():
        request = (
            SupportRequest.objects.select_for_update().select_related("partner").get(pk=request_id)
        )
        if request.status != SupportRequestStatus.OPEN:
            raise SupportRequestClosed()
        _close(actor, request, (resolution or "").strip() or "Closed by support.")
    return request


# --------------------------------------------------------------------------- indirect (EN-*)


def open_indirect_enrollment(partner) -> IndirectResellerEnrollment | None:
    return IndirectResellerEnrollment.objects.filter(
        partner=partner, status__in=OPEN_INDIRECT_STATUSES
    ).first()


def indirect_enrollment_refusals(partner) -> list[RuleViolation]:
    """EN-2, DB-3 (DB-4): what refuses an indirect reseller enrollment of `partner` now; empty
    when allowed. Checked on submission and again when the request is decided and when its
    agreement is accepted (AC-7)."""
    from .capabilities import direct_bill_status

    refusals = []
    if partner.is_indirect_provider:
        refusals.append(InvalidInput("Indirect providers don't enroll as indirect resellers."))
    if direct_bill_status(partner) == DirectBillStatus.ACTIVE:  # DB-3 (DB-4: none is fine)
        refusals.append(DirectBillStillActive())
    problems = profile_problems(partner)  # EN-2
    if problems:
        refusals.append(
            ProfileNotCurrent(
                "Your partner profile is not current: "
                + join_clauses(problems)
                + " (Account settings › Partner profile)."
            )
        )
    return refusals


def indirect_enrollment_blockers(partner) -> list[RuleViolation]:
    """What the enrollment page lists as refusing an enrollment now (empty when allowed): the
    refusals themselves, so the page shows each sentence with its Why? link."""
    return indirect_enrollment_refusals(partner)


@audit.refusals("indirect_enrollment.submit")
def indirect_enrollment_submit(
    *, actor, partner, legal_name: str, primary_contact_email: str
) -> IndirectResellerEnrollment:
    """EN-1..EN-3, DB-3, DB-4: a Global admin enrolls the tenant as indirect reseller.

    Idempotent (EN-3): while an enrollment is open, submitting again returns it. The partner
    row is locked so two concurrent submits serialise; the partial unique index is the
    backstop. The decision task is enqueued on commit (EN-4). The returned enrollment has
    `created` True when this call recorded it.
    """
    require_role(actor, Role.GLOBAL_ADMIN)  # EN-1
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can enroll only your own organisation.")
    legal_name = (legal_name or "").strip()
    primary_contact_email = (primary_contact_email or "").strip().lower()
    if not legal_name or not primary_contact_email:
        raise InvalidInput("Give the legal name and a primary contact email.")
    with transaction.atomic():
        locked = _locked_partner(partner)
        existing = open_indirect_enrollment(locked)
        if existing is not None:  # EN-3
            existing.created = False
            return existing
        refusals = indirect_enrollment_refusals(locked)
        if refusals:
            raise refusals[0]
        now = clock.now()
        try:
            with transaction.atomic():
                enrollment = IndirectResellerEnrollment.objects.create(
                    partner=locked,
                    legal_name=legal_name,
                    primary_contact_email=primary_contact_email,
                    submitted_by=actor,
                    submitted_at=now,
                    review_deadline=clock.add_business_days(
                        now, rule("ENROLLMENT_REVIEW_BUSINESS_DAYS")
                    ),
                )
        except IntegrityError:  # EN-3 backstop: another connection won the race
            existing = open_indirect_enrollment(locked)
            existing.created = False
            return existing
        audit.record(
            actor=actor,
            partner=locked,
            operation="indirect_enrollment.submit",
            obj=enrollment,
            new_state=IndirectStatus.SUBMITTED,
            detail=f"Legal name on the form: {legal_name}; contact: {primary_contact_email}",
        )
        from core.tasks import enqueue

        from .tasks import decide_enrollment

        enqueue(decide_enrollment, enrollment.pk)
    enrollment.created = True
    return enrollment


def review_reason_for(enrollment) -> str:
    """EN-4 [I]: why a request needs a person. The legal name on the form must match the
    profile (case and spacing ignored); a mismatch waits for staff."""

    def norm(text):
        return " ".join((text or "").casefold().split())

    if norm(enrollment.legal_name) != norm(enrollment.partner.legal_name):
        return (
            f"The legal name on the form ({enrollment.legal_name}) differs from the partner "
            f"profile ({enrollment.partner.legal_name})."
        )
    return ""


def indirect_enrollment_decide(*, enrollment_id: int) -> IndirectResellerEnrollment | None:
    """EN-4: the system decides a submitted request: approve at once, or put it under review.
    AC-7: a request the enrollment rules no longer allow (e.g. direct-bill became Active) is
    rejected with the reason.

    Idempotent: a request no longer `submitted` (or locked by a concurrent decider) is left.
    """
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(pk=enrollment_id, status=IndirectStatus.SUBMITTED)
            .first()
        )
        if enrollment is None:
            return None
        changed = _changed_since_submitted(enrollment)
        if changed:  # AC-7
            return _reject(enrollment, actor=None, reason=changed)
        reason = review_reason_for(enrollment)
        if not reason:
            return _approve(enrollment, actor=None, note="Approved automatically.")
        apply_transition(
            enrollment,
            INDIRECT_TRANSITIONS,
            IndirectStatus.UNDER_REVIEW,
            actor=None,
            partner=enrollment.partner,
            operation="indirect_enrollment.review",
            detail=f"{reason} Decision by {enrollment.review_deadline:%Y-%m-%d %H:%M} UTC.",
            review_reason=reason[:300],
        )
        partner = enrollment.partner
        notifications.notify_partner(
            partner=partner,
            roles=(Role.GLOBAL_ADMIN,),
            subject="Your indirect reseller enrollment is under review",
            body=f"{reason} We decide within 5 business days.",
            url=reverse("account_programs"),
            email=False,
        )
    return enrollment


def _changed_since_submitted(enrollment) -> str:
    """AC-7: why the enrollment rules (EN-2, DB-3) no longer allow `enrollment`, or "" when
    they still do. Locks the partner row, so a concurrent direct-bill change waits for us."""
    refusals = indirect_enrollment_refusals(_locked_partner(enrollment.partner))
    if not refusals:
        return ""
    return "This changed after the request was submitted: " + " ".join(map(str, refusals))


def _approve(enrollment, *, actor, note):
    apply_transition(
        enrollment,
        INDIRECT_TRANSITIONS,
        IndirectStatus.APPROVED,
        actor=actor,
        partner=enrollment.partner,
        operation="indirect_enrollment.approve",
        detail=note,
        decided_at=clock.now(),
        decided_by=actor,
    )
    _send_outcome(enrollment)
    return enrollment


def _reject(enrollment, *, actor, reason):
    apply_transition(
        enrollment,
        INDIRECT_TRANSITIONS,
        IndirectStatus.REJECTED,
        actor=actor,
        partner=enrollment.partner,
        operation="indirect_enrollment.reject",
        detail=reason,
        rejection_reason=reason,
        decided_at=clock.now(),
        decided_by=actor,
    )
    _send_outcome(enrollment)
    return enrollment


def _send_outcome(enrollment):
    """EN-5: email the outcome to the form's primary contact, and notify in the portal."""
    partner = enrollment.partner
    if enrollment.status == IndirectStatus.APPROVED:
        subject = "Your indirect reseller enrollment is approved"
        body = (
            f"Hello,\n\nThe indirect reseller enrollment of {partner.legal_name} is approved.\n"
            "Next step: a Global admin accepts the indirect reseller agreement (Microsoft "
            "Partner Agreement) under Account settings › Agreements. Indirect reseller "
            "capabilities turn on once it is accepted."
        )
        url = reverse("agreements")
    else:
        subject = "Your indirect reseller enrollment was rejected"
        body = (
            f"Hello,\n\nThe indirect reseller enrollment of {partner.legal_name} was rejected.\n"
            f"Reason: {enrollment.rejection_reason}\n\nYou can correct the details and enroll "
            "again under Account settings › Programs."
        )
        url = reverse("account_programs")
    text = body + f"\n\nOpen it in the portal: {notifications.email_link(url)}"

    # Rows written in the caller's transaction; queue_email rings the worker on commit.
    notifications.queue_email(
        to=[enrollment.primary_contact_email], subject=subject, body=text, partner=partner
    )
    notifications.notify(
        users=notifications.partner_users(partner, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
        subject=subject,
        body=body,
        url=url,
    )


@audit.refusals("indirect_enrollment.approve")
def indirect_enrollment_approve(*, actor, enrollment_id: int) -> IndirectResellerEnrollment:
    """EN-4: support staff approve a request under review (or still submitted). AC-7: refused,
    with what changed, when the enrollment rules no longer allow it; staff reject it instead."""
    _require_staff(actor)
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update()
            .select_related("partner")
            .get(pk=enrollment_id)
        )
        if enrollment.status not in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
            raise EnrollmentNotPending(
                f"This enrollment is {enrollment.get_status_display()}, not waiting for a decision."
            )
        changed = _changed_since_submitted(enrollment)
        if changed:
            raise ChangedSinceRequest(
                f"This enrollment can't be approved. {changed} Reject it with that reason."
            )
        return _approve(enrollment, actor=actor, note="Approved by support.")


@audit.refusals("indirect_enrollment.reject")
def indirect_enrollment_reject(
    *, actor, enrollment_id: int, reason: str
) -> IndirectResellerEnrollment:
    """EN-4: support staff reject a request waiting for a decision; the reason is required."""
    _require_staff(actor)
    reason = _require_reason(reason, "Give the reason for the rejection; the partner sees it.")
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update()
            .select_related("partner")
            .get(pk=enrollment_id)
        )
        if enrollment.status not in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
            raise EnrollmentNotPending(
                f"This enrollment is {enrollment.get_status_display()}, not waiting for a decision."
            )
        return _reject(enrollment, actor=actor, reason=reason)


@audit.refusals("indirect_enrollment.accept_agreement")
def indirect_agreement_accept(*, actor, partner) -> IndirectResellerEnrollment:
    """EN-7: a Global admin accepts the indirect reseller agreement; the enrollment becomes
    active and indirect reseller capabilities (EN-8, PV, CU, MV) turn on.

    AC-7: the enrollment rules are checked again. DB-3/DB-6: refused while direct-bill is
    Active (after a direct-bill override the approved enrollment just ends with the grace
    period).
    """
    require_role(actor, Role.GLOBAL_ADMIN)
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can accept agreements only for your own organisation.")
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update()
            .filter(partner=partner, status=IndirectStatus.APPROVED)
            .first()
        )
        if enrollment is None:
            raise AgreementNotAvailable()
        _require_agreement_still_allowed(_locked_partner(partner))
        version = agreements.current(agreements.PARTNER_AGREEMENT).version
        apply_transition(
            enrollment,
            INDIRECT_TRANSITIONS,
            IndirectStatus.ACTIVE,
            actor=actor,
            partner=partner,
            operation="indirect_enrollment.accept_agreement",
            detail=f"Microsoft Partner Agreement (indirect reseller) version {version} accepted.",
            agreement_accepted_at=clock.now(),
            agreement_accepted_by=actor,
            agreement_version=version,
        )
    return enrollment


def _require_agreement_still_allowed(partner) -> None:
    """AC-7: the enrollment rules (EN-2, DB-3) still hold when the agreement is accepted."""
    for refusal in indirect_enrollment_refusals(partner):
        if not isinstance(refusal, DirectBillStillActive):
            raise refusal
        override = pending_override(partner)
        if override is not None:
            raise DirectBillOverridesIndirect(
                "Your direct-bill application was approved on "
                f"{override.decided_at:%d %b %Y} with the single-tenant override: the direct-bill "
                "program overrides the indirect reseller enrollment on this tenant, so the "
                "indirect reseller agreement can no longer be accepted here. The enrollment ends "
                f"on {override.indirect_access_ends_at:%d %b %Y}. To be an indirect reseller as "
                "well, enroll a new tenant.",
                rule="DB-6",
            )
        raise DirectBillOverridesIndirect(
            "Your direct-bill account became Active after this enrollment was approved, and a "
            "tenant whose direct-bill account is Active can't be an indirect reseller, so "
            "the agreement can't be accepted. Ask support to restrict the direct-bill account, or "
            "enroll a new tenant."
        )


def indirect_enrollment_approve_expired(*, enrollment_id: int, now):
    """EN-4: a request under review whose 5 business days passed is approved by the system;
    AC-7: rejected instead, with the reason, when the enrollment rules no longer allow it."""
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(
                pk=enrollment_id,
                status=IndirectStatus.UNDER_REVIEW,
                review_deadline__lte=now,
            )
            .first()
        )
        if enrollment is None:
            return None
        changed = _changed_since_submitted(enrollment)
        if changed:  # AC-7
            return _reject(enrollment, actor=None, reason=changed)
        return _approve(
            enrollment,
            actor=None,
            note="Approved automatically: no staff decision within 5 business days.",
        )


def incentives_invite(*, enrollment_id: int):
    """EN-9: invite the partner to indirect reseller incentives, by email to the address of
    its partner program account. Once per enrollment."""
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(
                pk=enrollment_id,
                incentives_invited_at__isnull=True,
                status__in=[IndirectStatus.APPROVED, IndirectStatus.ACTIVE],
            )
            .first()
        )
        if enrollment is None:
            return None
        partner = enrollment.partner
        enrollment.incentives_invited_at = clock.now()
        enrollment.save(update_fields=["incentives_invited_at"])
        audit.record(
            actor=None,
            partner=partner,
            operation="indirect_enrollment.incentives_invite",
            obj=enrollment,
            detail=f"Invitation sent to {partner.primary_contact_email}.",
        )
        notifications.queue_email(
            to=[partner.primary_contact_email],
            subject="You're invited to the indirect reseller incentives program",
            body=(
                f"Hello,\n\n{partner.legal_name} is now enrolled as an indirect reseller and "
                "is invited to join the indirect reseller incentives program. Direct-bill "
                "incentives remain a separate enrollment.\n"
            ),
            partner=partner,
        )
    return enrollment


# --------------------------------------------------------------------------- DB-5 / DB-6


def direct_bill_application_blockers(partner, *, override_confirmed: bool = False) -> list:
    """The refusals a direct-bill application meets now (DB-5/DB-6); empty when allowed."""
    try:
        _check_direct_bill_application(partner, override_confirmed=override_confirmed)
    except APPLICATION_REFUSALS as refusal:
        return [refusal]
    return []


def pending_override(partner) -> DirectBillApplication | None:
    """DB-6: the approved single-tenant override whose grace period has not ended yet."""
    return DirectBillApplication.objects.filter(
        partner=partner,
        status=ApplicationStatus.APPROVED,
        single_tenant_override=True,
        indirect_access_ends_at__isnull=False,
        indirect_access_ended_at__isnull=True,
    ).first()


APPLICATION_REFUSALS = (AlreadyDirectBill, RevenueTooLow, NewTenantRequired, InvalidInput)


def _check_direct_bill_application(partner, *, override_confirmed):
    """DB-5/DB-6, checked when applying and again when support approve (AC-7). Any open
    indirect reseller enrollment (not only an active one) needs the override confirmed."""
    from .capabilities import direct_bill_status

    if partner.is_indirect_provider:
        raise InvalidInput("Indirect providers don't apply for direct-bill here.")
    status = direct_bill_status(partner)
    if status is not None:
        raise AlreadyDirectBill(
            "This tenant already has a direct-bill enrollment"
            + (" (closed): apply with a new tenant." if status == "closed" else ".")
        )
    minimum = Decimal(rule("DIRECT_BILL_MIN_REVENUE_USD"))
    if partner.revenue_12m_usd < minimum:
        raise RevenueTooLow(
            f"Direct-bill needs at least USD {minimum:,.0f} of CSP revenue in the preceding 12 "
            f"months; your organisation has USD {partner.revenue_12m_usd:,.0f}."
        )
    indirect = open_indirect_enrollment(partner)
    if indirect is not None and not override_confirmed:
        raise NewTenantRequired(
            f"This tenant has an indirect reseller enrollment ({indirect.get_status_display()}). "
            + NewTenantRequired.advice
        )


@audit.refusals("direct_bill_application.submit")
def direct_bill_apply(
    *, actor, partner, single_tenant_override: bool = False
) -> DirectBillApplication:
    """DB-5/DB-6: a Global admin applies for direct-bill. Needs the minimum revenue; a tenant
    with an open indirect reseller enrollment (submitted to active) must confirm the
    single-tenant override (DB-6) — a new tenant is recommended. Idempotent: an open
    application is returned."""
    require_role(actor, Role.GLOBAL_ADMIN)
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can apply only for your own organisation.")
    with transaction.atomic():
        locked = _locked_partner(partner)
        existing = DirectBillApplication.objects.filter(
            partner=locked, status=ApplicationStatus.SUBMITTED
        ).first()
        if existing is not None:
            return existing
        _check_direct_bill_application(locked, override_confirmed=single_tenant_override)
        override = open_indirect_enrollment(locked) is not None
        application = DirectBillApplication.objects.create(
            partner=locked,
            revenue_12m_usd=locked.revenue_12m_usd,
            single_tenant_override=override,
            submitted_by=actor,
            submitted_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=locked,
            operation="direct_bill_application.submit",
            obj=application,
            new_state=ApplicationStatus.SUBMITTED,
            detail="Single-tenant override of the indirect reseller enrollment (DB-6)."
            if override
            else "New direct-bill tenant (DB-5).",
        )
    return application


@audit.refusals("direct_bill_application.approve")
def direct_bill_application_approve(*, actor, application_id: int) -> DirectBillApplication:
    """DB-5/DB-6: support approve; the direct-bill enrollment starts Active. For an override the
    indirect reseller access ends after DIRECT_OVERRIDE_GRACE_DAYS (fired by the sweep); an
    enrollment approved but not accepted ends then too, and its agreement can't be accepted
    meanwhile. AC-7: the application's rules are checked again; if they no longer hold (e.g.
    the tenant enrolled as indirect reseller after applying without the override) approval
    is refused with what changed."""
    _require_staff(actor)
    with transaction.atomic():
        application = (
            DirectBillApplication.objects.select_for_update()
            .select_related("partner")
            .get(pk=application_id)
        )
        check_transition(
            DIRECT_BILL_APPLICATION_TRANSITIONS,
            application.status,
            ApplicationStatus.APPROVED,
            label="application status",
        )
        partner = _locked_partner(application.partner)
        try:
            _check_direct_bill_application(
                partner, override_confirmed=application.single_tenant_override
            )
        except APPLICATION_REFUSALS as refusal:
            raise ChangedSinceRequest(
                "This application can't be approved. This changed after it was submitted: "
                f"{refusal} Reject it with that reason; the partner can apply again."
            ) from refusal
        now = clock.now()
        application.status = ApplicationStatus.APPROVED
        application.decided_at = now
        application.decided_by = actor
        fields = ["status", "decided_at", "decided_by"]
        if application.single_tenant_override:
            application.indirect_access_ends_at = now + timedelta(
                days=rule("DIRECT_OVERRIDE_GRACE_DAYS")
            )
            fields.append("indirect_access_ends_at")
        application.save(update_fields=fields)
        enrollment = DirectBillEnrollment.objects.create(
            partner=partner, enrolled_at=now, status_changed_at=now
        )
        audit.record(
            actor=actor,
            partner=partner,
            operation="direct_bill_application.approve",
            obj=application,
            old_state=ApplicationStatus.SUBMITTED,
            new_state=ApplicationStatus.APPROVED,
            detail=(
                f"Indirect reseller access ends {application.indirect_access_ends_at:%Y-%m-%d}."
                if application.single_tenant_override
                else ""
            ),
        )
        audit.record(
            actor=actor,
            partner=partner,
            operation="direct_bill.enroll",
            obj=enrollment,
            new_state=DirectBillStatus.ACTIVE,
        )
        body = "Your direct-bill application is approved; your direct-bill account is Active."
        if application.single_tenant_override:
            body += (
                " The direct-bill program overrides your indirect reseller enrollment on this "
                f"tenant: indirect reseller access ends on "
                f"{application.indirect_access_ends_at:%d %b %Y}. Move your customers and "
                "subscriptions before then."
            )
        notifications.notify_partner(
            partner=partner,
            roles=(Role.GLOBAL_ADMIN,),
            subject="Your direct-bill application is approved",
            body=body,
            url=reverse("account_programs"),
        )
    return application


@audit.refusals("direct_bill_application.reject")
def direct_bill_application_reject(
    *, actor, application_id: int, reason: str
) -> DirectBillApplication:
    _require_staff(actor)
    reason = _require_reason(reason, "Give the reason for the rejection.")
    with transaction.atomic():
        application = (
            DirectBillApplication.objects.select_for_update()
            .select_related("partner")
            .get(pk=application_id)
        )
        apply_transition(
            application,
            DIRECT_BILL_APPLICATION_TRANSITIONS,
            ApplicationStatus.REJECTED,
            label="application status",
            actor=actor,
            partner=application.partner,
            operation="direct_bill_application.reject",
            detail=reason,
            decided_at=clock.now(),
            decided_by=actor,
            rejection_reason=reason,
        )
    return application


def indirect_access_end_after_override(*, application_id: int, now):
    """DB-6: when the grace period ends, the tenant's indirect reseller enrollment ends."""
    with transaction.atomic():
        application = (
            DirectBillApplication.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(
                pk=application_id,
                status=ApplicationStatus.APPROVED,
                single_tenant_override=True,
                indirect_access_ends_at__lte=now,
                indirect_access_ended_at__isnull=True,
            )
            .first()
        )
        if application is None:
            return None
        for enrollment in IndirectResellerEnrollment.objects.select_for_update().filter(
            partner=application.partner,
            status__in=[IndirectStatus.APPROVED, IndirectStatus.ACTIVE],
        ):
            reason = "Direct-bill program override (single tenant, DB-6)."
            apply_transition(
                enrollment,
                INDIRECT_TRANSITIONS,
                IndirectStatus.ENDED,
                actor=None,
                partner=application.partner,
                operation="indirect_enrollment.end",
                detail=reason,
                at=now,
                ended_at=now,
                ended_reason=reason,
            )
        application.indirect_access_ended_at = now
        application.save(update_fields=["indirect_access_ended_at"])
    return application


# --------------------------------------------------------------------------- sandbox (DB-2)


def _check_sandbox_allowed(partner) -> None:
    """DB-2/TX-2: only an indirect provider or a partner whose direct-bill is Active."""
    from .capabilities import require_direct_bill_active
    from .exceptions import DirectBillRequired

    if partner.is_indirect_provider:
        return
    try:
        require_direct_bill_active(partner, "create a sandbox")
    except DirectBillRequired:
        raise SandboxNotAllowed() from None


def sandbox_refusal(partner) -> RuleViolation | None:
    """Why `sandbox_create` would refuse `partner` now (None when allowed): the page's text
    and button follow the same check as the service."""
    try:
        _check_sandbox_allowed(partner)
    except RuleViolation as refusal:
        return refusal
    return None


@audit.refusals("sandbox.create")
def sandbox_create(*, actor, partner) -> Sandbox:
    """DB-2/TX-2: a Global admin creates the integration sandbox; refused while the direct-bill
    account is Restricted (or Closed), and for partners without direct-bill (providers may)."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    with transaction.atomic():
        locked = _locked_partner(partner)
        _check_sandbox_allowed(locked)
        if Sandbox.objects.filter(partner=locked, deleted_at__isnull=True).exists():
            raise SandboxExists()
        sandbox = Sandbox.objects.create(
            partner=locked,
            name=f"{locked.legal_name} integration sandbox",
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=locked,
            operation="sandbox.create",
            obj=sandbox,
            new_state="created",
        )
    return sandbox

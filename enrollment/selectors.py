"""Reads of the enrollment app: the partner profile's problems (EN-2), the open and latest
enrollments, what refuses an enrollment, an application or a sandbox now (the same checks the
services make, so pages say what the services would), and the programs as the Account settings
pages and the dashboard show them, each with its status, dates and next step (EN-6)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import clock
from core.exceptions import InvalidInput, RuleViolation
from core.models import Partner, Role, User
from core.wording import join_clauses

from .capabilities import direct_bill_status, require_direct_bill_active
from .exceptions import (
    AlreadyDirectBill,
    DirectBillRequired,
    DirectBillStillActive,
    NewTenantRequired,
    ProfileNotCurrent,
    RevenueTooLow,
    SandboxNotAllowed,
)
from .models import (
    OPEN_INDIRECT_STATUSES,
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
    Sandbox,
)

# --------------------------------------------------------------------------- partner profile


def profile_problems(*, partner: Partner) -> list[str]:
    """EN-2: what keeps the partner profile from being current (empty when it is)."""
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
    max_age = cast(int, settings.PROGRAM_RULES["PROFILE_MAX_AGE_DAYS"])
    confirmed = partner.profile_confirmed_on
    if confirmed is None or (clock.today() - confirmed).days > max_age:
        problems.append(f"confirm your profile is current (needed every {max_age} days)")
    return problems


# --------------------------------------------------------------------------- indirect (EN-*)


def latest_indirect(*, partner: Partner) -> IndirectResellerEnrollment | None:
    return IndirectResellerEnrollment.objects.filter(partner=partner).first()


def open_indirect_enrollment(*, partner: Partner) -> IndirectResellerEnrollment | None:
    return IndirectResellerEnrollment.objects.filter(
        partner=partner, status__in=OPEN_INDIRECT_STATUSES
    ).first()


def indirect_enrollment_refusals(*, partner: Partner) -> list[RuleViolation]:
    """EN-2, DB-3 (DB-4): what refuses an indirect reseller enrollment of `partner` now; empty
    when allowed. Checked on submission and again when the request is decided and when its
    agreement is accepted (AC-7). The enrollment page lists them, each with its Why? link."""
    refusals: list[RuleViolation] = []
    if partner.is_indirect_provider:
        refusals.append(InvalidInput("Indirect providers don't enroll as indirect resellers."))
    if direct_bill_status(partner=partner) == DirectBillStatus.ACTIVE:  # DB-3 (DB-4: none is fine)
        refusals.append(DirectBillStillActive())
    problems = profile_problems(partner=partner)  # EN-2
    if problems:
        refusals.append(
            ProfileNotCurrent(
                "Your partner profile is not current: "
                + join_clauses(problems)
                + " (Account settings › Partner profile)."
            )
        )
    return refusals


def review_reason_for(*, enrollment: IndirectResellerEnrollment) -> str:
    """EN-4 [I]: why a request needs a person. The legal name on the form must match the
    profile (case and spacing ignored); a mismatch waits for staff."""

    def norm(text: str) -> str:
        return " ".join((text or "").casefold().split())

    if norm(enrollment.legal_name) != norm(enrollment.partner.legal_name):
        return (
            f"The legal name on the form ({enrollment.legal_name}) differs from the partner "
            f"profile ({enrollment.partner.legal_name})."
        )
    return ""


# --------------------------------------------------------------------------- DB-5 / DB-6

APPLICATION_REFUSALS = (AlreadyDirectBill, RevenueTooLow, NewTenantRequired, InvalidInput)


def check_direct_bill_application(*, partner: Partner, override_confirmed: bool) -> None:
    """DB-5/DB-6, checked when applying and again when support approve (AC-7): raises the
    first refusal. Any open indirect reseller enrollment (not only an active one) needs the
    override confirmed."""
    if partner.is_indirect_provider:
        raise InvalidInput("Indirect providers don't apply for direct-bill here.")
    status = direct_bill_status(partner=partner)
    if status is not None:
        raise AlreadyDirectBill(
            "This tenant already has a direct-bill enrollment"
            + (" (closed): apply with a new tenant." if status == DirectBillStatus.CLOSED else ".")
        )
    minimum = Decimal(cast(int, settings.PROGRAM_RULES["DIRECT_BILL_MIN_REVENUE_USD"]))
    if partner.revenue_12m_usd < minimum:
        raise RevenueTooLow(
            f"Direct-bill needs at least USD {minimum:,.0f} of CSP revenue in the preceding 12 "
            f"months; your organisation has USD {partner.revenue_12m_usd:,.0f}."
        )
    indirect = open_indirect_enrollment(partner=partner)
    if indirect is not None and not override_confirmed:
        raise NewTenantRequired(
            f"This tenant has an indirect reseller enrollment ({indirect.get_status_display()}). "
            + NewTenantRequired.advice
        )


def direct_bill_application_blockers(
    *, partner: Partner, override_confirmed: bool = False
) -> list[RuleViolation]:
    """The refusals a direct-bill application meets now (DB-5/DB-6); empty when allowed."""
    try:
        check_direct_bill_application(partner=partner, override_confirmed=override_confirmed)
    except APPLICATION_REFUSALS as refusal:
        return [refusal]
    return []


def submitted_application(*, partner: Partner) -> DirectBillApplication | None:
    """The partner's direct-bill application waiting for support's decision, if any."""
    return DirectBillApplication.objects.filter(
        partner=partner, status=ApplicationStatus.SUBMITTED
    ).first()


def pending_override(*, partner: Partner) -> DirectBillApplication | None:
    """DB-6: the approved single-tenant override whose grace period has not ended yet."""
    return DirectBillApplication.objects.filter(
        partner=partner,
        status=ApplicationStatus.APPROVED,
        single_tenant_override=True,
        indirect_access_ends_at__isnull=False,
        indirect_access_ended_at__isnull=True,
    ).first()


# --------------------------------------------------------------------------- sandbox (DB-2)


def check_sandbox_allowed(*, partner: Partner) -> None:
    """DB-2/TX-2: only an indirect provider or a partner whose direct-bill is Active."""
    if partner.is_indirect_provider:
        return
    try:
        require_direct_bill_active(partner=partner, action="create a sandbox")
    except DirectBillRequired:
        raise SandboxNotAllowed() from None


def sandbox_refusal(*, partner: Partner) -> RuleViolation | None:
    """Why `sandbox_create` would refuse `partner` now (None when allowed): the page's text
    and button follow the same check as the service."""
    try:
        check_sandbox_allowed(partner=partner)
    except RuleViolation as refusal:
        return refusal
    return None


def current_sandbox(*, partner: Partner) -> Sandbox | None:
    return Sandbox.objects.filter(partner=partner, deleted_at__isnull=True).first()


# --------------------------------------------------------------------------- programs (EN-6)


@dataclass
class Program:
    key: str
    name: str
    pill: str  # the status pill's class: the enrollment's status, or "info"/"active"/...
    status_label: str
    dates: list[tuple[str, datetime | None]] = field(default_factory=list)
    next_step: str = ""
    action_label: str = ""
    action_url: str = ""
    refusals: list[RuleViolation] = field(default_factory=list)
    detail: str = ""
    next_step_rule: str = ""  # when the next step is a refusal: its rule, for the Why? link


def programs_for(*, partner: Partner, user: User) -> list[Program]:
    """Every program of `partner` with its status and next step, as `user` sees it."""
    programs = []
    if partner.is_indirect_provider:
        programs.append(
            Program(
                key="indirect_provider",
                name="Indirect provider",
                pill="active",
                status_label="Active",
                dates=[("Authorised since", partner.created_at)],
                next_step="Invite indirect resellers and serve their customers.",
            )
        )
        return programs
    programs.append(_direct_bill(partner, user))
    programs.append(_indirect(partner, user))
    return programs


def _direct_bill(partner: Partner, user: User) -> Program:
    enrollment = DirectBillEnrollment.objects.filter(partner=partner).first()
    if enrollment is None:
        application = DirectBillApplication.objects.filter(partner=partner).first()
        program = Program(
            key="direct_bill",
            name="CSP direct bill partner",
            pill="info",
            status_label="Not enrolled",
        )
        if application is not None and application.status == ApplicationStatus.SUBMITTED:
            program.pill, program.status_label = "submitted", "Application submitted"
            program.dates = [("Applied", application.submitted_at)]
            program.next_step = "Support is reviewing your direct-bill application."
        else:
            if application is not None and application.status == ApplicationStatus.REJECTED:
                program.detail = f"Last application rejected: {application.rejection_reason}"
            program.next_step = (
                "Direct-bill needs at least USD 1,000,000 CSP revenue in the preceding 12 "
                "months. We recommend a new tenant for it."
            )
            if user.has_role(Role.GLOBAL_ADMIN):
                program.action_label, program.action_url = "Apply", reverse("direct_bill_apply")
        return program
    program = Program(
        key="direct_bill",
        name="CSP direct bill partner",
        pill=enrollment.status,
        status_label=enrollment.get_status_display(),
        dates=[
            ("Enrolled", enrollment.enrolled_at),
            ("Status since", enrollment.status_changed_at),
        ],
        detail=f"Reason: {enrollment.status_reason}" if enrollment.status_reason else "",
    )
    override = (
        DirectBillApplication.objects.filter(
            partner=partner, status=ApplicationStatus.APPROVED, single_tenant_override=True
        )
        .exclude(indirect_access_ends_at=None)
        .first()
    )
    if override is not None:
        program.dates.append(("Indirect access ends", override.indirect_access_ends_at))
    if enrollment.status == DirectBillStatus.ACTIVE:
        program.next_step = (
            "To enroll this tenant as an indirect reseller, ask support to restrict your "
            "direct-bill account (Contact support), or use a new tenant."
        )
        program.action_label = "Contact support"
        program.action_url = reverse("contact_support") + "?topic=restrict_direct_bill"
    elif enrollment.status == DirectBillStatus.RESTRICTED:
        program.next_step = (
            "You keep managing existing direct customers; new sales are off. Move your "
            "customers to an indirect provider, then close the direct-bill enrollment."
        )
    else:
        program.next_step = "The direct-bill enrollment is closed."
    return program


def _indirect(partner: Partner, user: User) -> Program:
    enrollment = latest_indirect(partner=partner)
    program = Program(
        key="indirect_reseller",
        name="Indirect reseller",
        pill="info",
        status_label="Not enrolled",
    )
    can_enroll = user.has_role(Role.GLOBAL_ADMIN)
    if enrollment is not None:
        program.pill = enrollment.status
        program.status_label = enrollment.get_status_display()
        program.dates = [("Submitted", enrollment.submitted_at)]
        if enrollment.decided_at:
            program.dates.append(("Decided", enrollment.decided_at))
        if enrollment.agreement_accepted_at:
            program.dates.append(("Agreement accepted", enrollment.agreement_accepted_at))
        if enrollment.ended_at:
            program.dates.append(("Ended", enrollment.ended_at))
    status = enrollment.status if enrollment else None
    if enrollment is not None and status in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
        program.next_step = (
            f"We decide by {enrollment.review_deadline:%a %d %b %Y} (5 business days at most)."
        )
        if enrollment.review_reason:
            program.detail = f"Under review: {enrollment.review_reason}"
        return program
    if status == IndirectStatus.APPROVED:
        program.next_step = "Accept the indirect reseller agreement to turn capabilities on."
        program.action_label, program.action_url = "Agreements", reverse("agreements")
        return program
    if status == IndirectStatus.ACTIVE:
        program.next_step = "Find indirect providers and invite customers."
        program.action_label, program.action_url = (
            "Indirect providers",
            reverse("indirect_providers"),
        )
        return program
    if enrollment is not None and status == IndirectStatus.REJECTED:
        program.detail = f"Rejected: {enrollment.rejection_reason}"
    if enrollment is not None and status == IndirectStatus.ENDED:
        program.detail = enrollment.ended_reason
    program.refusals = indirect_enrollment_refusals(partner=partner)
    if not can_enroll:
        program.next_step = "Only a Global admin can enroll your organisation."
        program.next_step_rule = "EN-1"
    elif program.refusals:
        program.next_step = "You can't enroll yet:"
    else:
        program.next_step = "Enroll this tenant as an indirect reseller."
    if can_enroll and not program.refusals:  # EN-1; no button for a refused enrollment
        program.action_label, program.action_url = "Get started", reverse("indirect_enroll")
    return program

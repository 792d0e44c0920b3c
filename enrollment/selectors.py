"""Reads for the Account settings pages and the dashboard: each program, its status, its dates
and what the partner can do next (EN-6)."""

from dataclasses import dataclass, field

from django.urls import reverse

from core.models import Role

from . import services
from .models import (
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
)


@dataclass
class Program:
    key: str
    name: str
    status: str  # pill class
    status_label: str
    dates: list = field(default_factory=list)  # (label, datetime)
    next_step: str = ""
    action_label: str = ""
    action_url: str = ""
    refusals: list = field(default_factory=list)
    detail: str = ""
    next_step_rule: str = ""  # when the next step is a refusal: its rule, for the Why? link


def latest_indirect(partner):
    return IndirectResellerEnrollment.objects.filter(partner=partner).first()


def programs_for(partner, user) -> list[Program]:
    """Every program of `partner` with its status and next step, as `user` sees it."""
    programs = []
    if partner.is_indirect_provider:
        programs.append(
            Program(
                key="indirect_provider",
                name="Indirect provider",
                status="active",
                status_label="Active",
                dates=[("Authorised since", partner.created_at)],
                next_step="Invite indirect resellers and serve their customers.",
            )
        )
        return programs
    programs.append(_direct_bill(partner, user))
    programs.append(_indirect(partner, user))
    return programs


def _direct_bill(partner, user) -> Program:
    enrollment = DirectBillEnrollment.objects.filter(partner=partner).first()
    if enrollment is None:
        application = DirectBillApplication.objects.filter(partner=partner).first()
        program = Program(
            key="direct_bill",
            name="CSP direct bill partner",
            status="info",
            status_label="Not enrolled",
        )
        if application is not None and application.status == ApplicationStatus.SUBMITTED:
            program.status, program.status_label = "submitted", "Application submitted"
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
        status=enrollment.status,
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


def _indirect(partner, user) -> Program:
    enrollment = latest_indirect(partner)
    program = Program(
        key="indirect_reseller",
        name="Indirect reseller",
        status="info",
        status_label="Not enrolled",
    )
    can_enroll = user.has_role(Role.GLOBAL_ADMIN)
    if enrollment is not None:
        program.status = enrollment.status
        program.status_label = enrollment.get_status_display()
        program.dates = [("Submitted", enrollment.submitted_at)]
        if enrollment.decided_at:
            program.dates.append(("Decided", enrollment.decided_at))
        if enrollment.agreement_accepted_at:
            program.dates.append(("Agreement accepted", enrollment.agreement_accepted_at))
        if enrollment.ended_at:
            program.dates.append(("Ended", enrollment.ended_at))
    status = enrollment.status if enrollment else None
    if status in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
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
    if status == IndirectStatus.REJECTED:
        program.detail = f"Rejected: {enrollment.rejection_reason}"
    if status == IndirectStatus.ENDED:
        program.detail = enrollment.ended_reason
    program.refusals = services.indirect_enrollment_blockers(partner)
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

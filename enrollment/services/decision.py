"""The decision on an indirect reseller enrollment (EN-4, EN-5, AC-7): the system approves a
request at once or puts it under review; support approve or reject one under review; the sweep
approves one whose 5 business days passed. The outcome is emailed and notified."""

from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.fsm import apply_transition
from core.models import Role, User
from core.notifications import render_message

from ..exceptions import ChangedSinceRequest, EnrollmentNotPending
from ..models import INDIRECT_TRANSITIONS, IndirectResellerEnrollment, IndirectStatus
from ..selectors import indirect_enrollment_refusals, review_reason_for
from .guards import locked_partner, require_reason, require_staff


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
        return decide_submitted(enrollment=enrollment)


def decide_submitted(*, enrollment: IndirectResellerEnrollment) -> IndirectResellerEnrollment:
    """`indirect_enrollment_decide` on a submitted request the caller holds locked (the task,
    or the sweep for one whose task message was lost)."""
    changed = _changed_since_submitted(enrollment)
    if changed:  # AC-7
        return _reject(enrollment, actor=None, reason=changed)
    reason = review_reason_for(enrollment=enrollment)
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
    subject, body = render_message("enrollment/email/under_review.txt", {"reason": reason})
    notifications.notify_partner(
        partner=enrollment.partner,
        roles=(Role.GLOBAL_ADMIN,),
        subject=subject,
        body=body,
        url=reverse("account_programs"),
        email=False,
    )
    return enrollment


def approve_expired(*, enrollment: IndirectResellerEnrollment) -> IndirectResellerEnrollment:
    """EN-4: a request under review whose 5 business days passed (locked by the sweep) is
    approved by the system; AC-7: rejected instead, with the reason, when the enrollment rules
    no longer allow it."""
    changed = _changed_since_submitted(enrollment)
    if changed:  # AC-7
        return _reject(enrollment, actor=None, reason=changed)
    return _approve(
        enrollment,
        actor=None,
        note="Approved automatically: no staff decision within 5 business days.",
    )


def _changed_since_submitted(enrollment: IndirectResellerEnrollment) -> str:
    """AC-7: why the enrollment rules (EN-2, DB-3) no longer allow `enrollment`, or "" when
    they still do. Locks the partner row, so a concurrent direct-bill change waits for us."""
    refusals = indirect_enrollment_refusals(partner=locked_partner(enrollment.partner))
    if not refusals:
        return ""
    return "This changed after the request was submitted: " + " ".join(map(str, refusals))


def _approve(
    enrollment: IndirectResellerEnrollment, *, actor: User | None, note: str
) -> IndirectResellerEnrollment:
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


def _reject(
    enrollment: IndirectResellerEnrollment, *, actor: User | None, reason: str
) -> IndirectResellerEnrollment:
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


def _send_outcome(enrollment: IndirectResellerEnrollment) -> None:
    """EN-5: email the outcome to the form's primary contact, and notify in the portal."""
    partner = enrollment.partner
    if enrollment.status == IndirectStatus.APPROVED:
        template, url = "enrollment/email/enrollment_approved.txt", reverse("agreements")
    else:
        template, url = "enrollment/email/enrollment_rejected.txt", reverse("account_programs")
    subject, body = render_message(template, {"enrollment": enrollment, "partner": partner})
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


def _waiting_for_decision(enrollment_id: int) -> IndirectResellerEnrollment:
    enrollment = (
        IndirectResellerEnrollment.objects.select_for_update()
        .select_related("partner")
        .get(pk=enrollment_id)
    )
    if enrollment.status not in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
        raise EnrollmentNotPending(
            f"This enrollment is {enrollment.get_status_display()}, not waiting for a decision."
        )
    return enrollment


@audit.refusals("indirect_enrollment.approve")
def indirect_enrollment_approve(*, actor: User, enrollment_id: int) -> IndirectResellerEnrollment:
    """EN-4: support staff approve a request under review (or still submitted). AC-7: refused,
    with what changed, when the enrollment rules no longer allow it; staff reject it instead."""
    require_staff(actor)
    with transaction.atomic():
        enrollment = _waiting_for_decision(enrollment_id)
        changed = _changed_since_submitted(enrollment)
        if changed:
            raise ChangedSinceRequest(
                f"This enrollment can't be approved. {changed} Reject it with that reason."
            )
        return _approve(enrollment, actor=actor, note="Approved by support.")


@audit.refusals("indirect_enrollment.reject")
def indirect_enrollment_reject(
    *, actor: User, enrollment_id: int, reason: str
) -> IndirectResellerEnrollment:
    """EN-4: support staff reject a request waiting for a decision; the reason is required."""
    require_staff(actor)
    reason = require_reason(reason, "Give the reason for the rejection; the partner sees it.")
    with transaction.atomic():
        enrollment = _waiting_for_decision(enrollment_id)
        return _reject(enrollment, actor=actor, reason=reason)

"""Enrollment tasks and sweepers. Tasks are thin: load ids, call a service, idempotent. Each
sweeper names its due rows once; `sweep.each_due` locks each and hands it to the service."""

from datetime import datetime, timedelta

from celery import shared_task

from core.sweep import each_due, sweeper

from .models import (
    ApplicationStatus,
    DirectBillApplication,
    IndirectResellerEnrollment,
    IndirectStatus,
)
from .services import application, decision, incentives


@shared_task(name="enrollment.decide_enrollment", acks_late=True)
def decide_enrollment(enrollment_id: int) -> str | None:
    """EN-4: decide a submitted indirect reseller enrollment (approve or put under review)."""
    enrollment = decision.indirect_enrollment_decide(enrollment_id=enrollment_id)
    return enrollment.status if enrollment is not None else None


@sweeper
def decide_submitted_enrollments(now: datetime) -> int:
    """EN-4: decide submitted enrollments whose task message was lost (broker down, worker
    killed). Requests submitted in the last seconds are left to their task."""
    due = IndirectResellerEnrollment.objects.filter(
        status=IndirectStatus.SUBMITTED, submitted_at__lte=now - timedelta(seconds=5)
    ).select_related("partner")
    return each_due(due, lambda enrollment: decision.decide_submitted(enrollment=enrollment))


@sweeper
def approve_expired_reviews(now: datetime) -> int:
    """EN-4: approve requests under review whose 5 business days passed without a decision."""
    due = IndirectResellerEnrollment.objects.filter(
        status=IndirectStatus.UNDER_REVIEW, review_deadline__lte=now
    ).select_related("partner")
    return each_due(due, lambda enrollment: decision.approve_expired(enrollment=enrollment))


@sweeper
def invite_to_incentives(now: datetime) -> int:
    """EN-9: invite newly enrolled indirect resellers to incentives (well within 30 days)."""
    due = IndirectResellerEnrollment.objects.filter(
        status__in=[IndirectStatus.APPROVED, IndirectStatus.ACTIVE],
        incentives_invited_at__isnull=True,
    ).select_related("partner")
    return each_due(due, lambda enrollment: incentives.incentives_invite(enrollment=enrollment))


@sweeper
def end_overridden_indirect_access(now: datetime) -> int:
    """DB-6: end indirect reseller access when the direct-bill override's grace period ends."""
    due = DirectBillApplication.objects.filter(
        status=ApplicationStatus.APPROVED,
        single_tenant_override=True,
        indirect_access_ends_at__lte=now,
        indirect_access_ended_at__isnull=True,
    ).select_related("partner")
    return each_due(
        due,
        lambda row: application.indirect_access_end_after_override(application=row, now=now),
    )

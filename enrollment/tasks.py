"""Enrollment tasks and sweepers. Tasks are thin: load ids, call a service, idempotent."""

from datetime import timedelta

from celery import shared_task

from core.sweep import sweeper

from . import services
from .models import (
    ApplicationStatus,
    DirectBillApplication,
    IndirectResellerEnrollment,
    IndirectStatus,
)


@shared_task(name="enrollment.decide_enrollment", acks_late=True)
def decide_enrollment(enrollment_id: int) -> str | None:
    """EN-4: decide a submitted indirect reseller enrollment (approve or put under review)."""
    enrollment = services.indirect_enrollment_decide(enrollment_id=enrollment_id)
    return enrollment.status if enrollment is not None else None


@sweeper
def decide_submitted_enrollments(now) -> int:
    """EN-4: decide submitted enrollments whose task message was lost (broker down, worker
    killed). Requests submitted in the last seconds are left to their task."""
    ids = IndirectResellerEnrollment.objects.filter(
        status=IndirectStatus.SUBMITTED, submitted_at__lte=now - timedelta(seconds=5)
    ).values_list("pk", flat=True)[:500]
    return sum(services.indirect_enrollment_decide(enrollment_id=pk) is not None for pk in ids)


@sweeper
def approve_expired_reviews(now) -> int:
    """EN-4: approve requests under review whose 5 business days passed without a decision."""
    ids = IndirectResellerEnrollment.objects.filter(
        status=IndirectStatus.UNDER_REVIEW, review_deadline__lte=now
    ).values_list("pk", flat=True)[:500]
    return sum(
        services.indirect_enrollment_approve_expired(enrollment_id=pk, now=now) is not None
        for pk in ids
    )


@sweeper
def invite_to_incentives(now) -> int:
    """EN-9: invite newly enrolled indirect resellers to incentives (well within 30 days)."""
    ids = IndirectResellerEnrollment.objects.filter(
        status__in=[IndirectStatus.APPROVED, IndirectStatus.ACTIVE],
        incentives_invited_at__isnull=True,
    ).values_list("pk", flat=True)[:500]
    return sum(services.incentives_invite(enrollment_id=pk) is not None for pk in ids)


@sweeper
def end_overridden_indirect_access(now) -> int:
    """DB-6: end indirect reseller access when the direct-bill override's grace period ends."""
    ids = DirectBillApplication.objects.filter(
        status=ApplicationStatus.APPROVED,
        single_tenant_override=True,
        indirect_access_ends_at__lte=now,
        indirect_access_ended_at__isnull=True,
    ).values_list("pk", flat=True)[:500]
    return sum(
        services.indirect_access_end_after_override(application_id=pk, now=now) is not None
        for pk in ids
    )

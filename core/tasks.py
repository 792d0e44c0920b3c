"""Core tasks. Tasks are thin: load ids, call a service, idempotent on retry. The tasks that
ring a worker for one module's work live beside it (`bulk.run_bulk_job`,
`notifications.deliver_email(s)`); importing them here registers them with the worker."""

import logging
from datetime import datetime

from celery import shared_task

from . import bulk, notifications
from . import sweep as sweeping
from .bulk import run_bulk_job
from .models import BulkJob, EmailStatus, JobStatus, OutboundEmail
from .notifications import deliver_email, deliver_emails

log = logging.getLogger(__name__)

__all__ = ["deliver_email", "deliver_emails", "run_bulk_job", "sweep"]


@shared_task(name="core.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    return sweeping.run_sweep()


@sweeping.sweeper
def deliver_queued_emails(now: datetime) -> int:
    """Deliver emails whose doorbell was lost (broker down or worker killed)."""
    ids = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).values_list("pk", flat=True)
    return sum(notifications.deliver(pk) for pk in ids[:500])


@sweeping.sweeper
def resume_bulk_jobs(now: datetime) -> int:
    """Finish bulk jobs whose worker died or whose doorbell was lost (items done are skipped)."""
    ids = list(BulkJob.objects.exclude(status=JobStatus.DONE).values_list("pk", flat=True)[:20])
    for pk in ids:
        bulk.run(pk)
    return len(ids)

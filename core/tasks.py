"""Core tasks. Tasks are thin: load ids, call a service, idempotent on retry. The tasks that
ring a worker for one module's work live beside it (`bulk.run_bulk_job`,
`notifications.deliver_email(s)`); importing them here registers them with the worker."""

import logging
from datetime import datetime

from celery import shared_task

from . import bulk, notifications
from . import sweep as sweeping
from .bulk import run_bulk_job
from .models import BulkJob, JobStatus
from .notifications import deliver_email, deliver_emails

log = logging.getLogger(__name__)

__all__ = ["deliver_email", "deliver_emails", "run_bulk_job", "sweep"]


@shared_task(name="core.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    return sweeping.run_sweep()


@sweeping.sweeper
def deliver_queued_emails(now: datetime) -> int:
    """Deliver emails whose doorbell was lost (broker down or worker killed)."""
    return sweeping.each_due(notifications.queued_emails(), notifications.send_locked)


@sweeping.sweeper
def resume_bulk_jobs(now: datetime) -> int:
    """Finish bulk jobs whose worker died or whose doorbell was lost (items done are skipped).
    Not through `sweep.each_due`, which runs each handler inside one transaction holding the
    row: `bulk.run` commits a chunk at a time and takes the job's lock itself."""
    ids = list(BulkJob.objects.exclude(status=JobStatus.DONE).values_list("pk", flat=True)[:20])
    for pk in ids:
        bulk.run(pk)
    return len(ids)

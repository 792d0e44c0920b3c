"""Core tasks. Tasks are thin: load ids, call a service, idempotent on retry."""

import logging

from celery import shared_task
from django.db import transaction

from . import notifications
from . import sweep as sweeping
from .models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Send `task` to a worker once the current transaction commits.

    If the broker is unreachable the work is not lost: it is in the database, and the periodic
    sweep finds it.
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception as exc:  # broker down: the sweep will pick the work up
            log.warning("could not enqueue %s (%s); the sweep will pick it up", task.name, exc)

    transaction.on_commit(send)


@shared_task(name="core.deliver_email", acks_late=True)
def deliver_email(email_id: int) -> bool:
    return notifications.deliver(email_id)


@shared_task(name="core.deliver_emails", acks_late=True)
def deliver_emails(email_ids: list) -> int:
    return sum(notifications.deliver(pk) for pk in email_ids)


@shared_task(name="core.sweep", acks_late=True)
def sweep() -> dict:
    return sweeping.run_sweep()


@sweeping.sweeper
def deliver_queued_emails(now) -> int:
    """Deliver emails whose doorbell was lost (broker down or worker killed)."""
    ids = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).values_list("pk", flat=True)
    return sum(notifications.deliver(pk) for pk in ids[:500])


@shared_task(name="core.run_bulk_job", acks_late=True)
def run_bulk_job(job_id: int) -> None:
    from . import bulk

    bulk.run(job_id)


@sweeping.sweeper
def resume_bulk_jobs(now) -> int:
    """Finish bulk jobs whose worker died or whose doorbell was lost (items done are skipped)."""
    from . import bulk
    from .models import BulkJob, JobStatus

    ids = list(BulkJob.objects.exclude(status=JobStatus.DONE).values_list("pk", flat=True)[:20])
    for pk in ids:
        bulk.run(pk)
    return len(ids)

"""Bulk jobs: one action over many items, run by a worker with progress and a result per item.

An app registers a handler per job kind:

    @bulk.handler("relationships.extend")
    def extend_one(job, item_id) -> str:      # returns the success message
        ...call the one service that does it; raise RuleViolation to refuse...

`start()` records the job (in the caller's transaction) and rings a worker on commit. The runner
skips items that already have a result, so a rerun, a retried task or the sweep after a killed
worker completes each item exactly once.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

from . import clock
from .exceptions import RuleViolation
from .models import BulkJob, JobStatus

log = logging.getLogger(__name__)

_handlers: dict[str, Callable] = {}
_labellers: dict[str, Callable] = {}


def handler(kind: str, *, labels: Callable | None = None):
    """Register the per-item function of a job kind; `labels(item_ids) -> {id: text}` names
    the items on the progress page."""

    def register(func):
        _handlers[kind] = func
        if labels is not None:
            _labellers[kind] = labels
        return func

    return register


def item_labels(job) -> dict:
    labeller = _labellers.get(job.kind)
    return labeller(job.params.get("items", [])) if labeller else {}


def start(*, kind: str, actor, items: Iterable, params: dict | None = None) -> BulkJob:
    items = [str(item) for item in items]
    job = BulkJob.objects.create(
        kind=kind,
        partner=actor.partner,
        created_by=actor,
        created_at=clock.now(),
        params={**(params or {}), "items": items},
        total=len(items),
    )
    from .tasks import enqueue, run_bulk_job

    enqueue(run_bulk_job, job.pk)
    return job


def run(job_id: int) -> BulkJob | None:
    """Process every item of the job that has no result yet."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
    func = _handlers[job.kind]
    for item in job.params.get("items", []):
        # The item's work and its result commit together, under the job's row lock, so two
        # runners (a retried task and the sweep) never do one item twice.
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job.pk)
            if item in job.results:
                continue
            try:
                with transaction.atomic():
                    result = {"ok": True, "message": func(job, item) or "Done."}
            except RuleViolation as refusal:
                result = {"ok": False, "message": refusal.message, "code": refusal.code}
            job.results[item] = result
            job.processed = len(job.results)
            job.save(update_fields=["results", "processed"])
    BulkJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=clock.now())
    job.refresh_from_db()
    return job

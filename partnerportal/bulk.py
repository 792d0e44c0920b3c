"""Bulk jobs: one action over many items, run by a worker with progress and a result per item.

An app registers a handler per job kind, for one item at a time:

    @bulk.handler("relationships.extend")
    def extend_one(job, item_id) -> str:      # returns the success message
        ...call the one service that does it; raise RuleViolation to refuse...

or, when a set-based service does many items in one statement, for a chunk of items:

    @bulk.handler("transfers.submit_all", batch=True)
    def submit_chunk(job, item_ids) -> dict:  # {item_id: message or RuleViolation}
        ...

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

CHUNK = 250  # items per transaction for batch handlers; progress moves a chunk at a time

_handlers: dict[str, Callable] = {}
_batch_kinds: set[str] = set()
_labellers: dict[str, Callable] = {}


def handler(kind: str, *, labels: Callable | None = None, batch: bool = False):
    """Register the function of a job kind; `labels(item_ids) -> {id: text}` names the items
    on the progress page. A `batch` handler takes a list of items and returns each item's
    message or RuleViolation; raising a RuleViolation refuses the whole chunk."""

    def register(func):
        _handlers[kind] = func
        if batch:
            _batch_kinds.add(kind)
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
    items = job.params.get("items", [])
    size = CHUNK if job.kind in _batch_kinds else 1
    for start in range(0, len(items), size):
        # A chunk's work and its results commit together, under the job's row lock, so two
        # runners (a retried task and the sweep) never do one item twice.
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job.pk)
            todo = [item for item in items[start : start + size] if item not in job.results]
            if not todo:
                continue
            for item, outcome in _outcomes(job, todo).items():
                job.results[item] = _result(outcome)
            job.processed = len(job.results)
            job.save(update_fields=["results", "processed"])
    BulkJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=clock.now())
    job.refresh_from_db()
    return job


def _outcomes(job, todo: list) -> dict:
    """Each item's message or refusal; a refusal rolls back only its own work."""
    func = _handlers[job.kind]
    if job.kind in _batch_kinds:
        try:
            with transaction.atomic():
                return func(job, todo)
        except RuleViolation as refusal:
            return {item: refusal for item in todo}
    outcomes = {}
    for item in todo:
        try:
            with transaction.atomic():
                outcomes[item] = func(job, item)
        except RuleViolation as refusal:
            outcomes[item] = refusal
    return outcomes


def _result(outcome) -> dict:
    if isinstance(outcome, RuleViolation):
        return {"ok": False, "message": outcome.message, "code": outcome.code}
    return {"ok": True, "message": outcome or "Done."}

"""Bulk jobs: one action over many items, run by a worker with progress and a result per item.

An app registers a handler per job kind, for one item at a time:

    @bulk.handler("widgets.paint")
    def paint_one(job, item_id) -> str:       # returns the success message
        ...call the one service that does it; raise RuleViolation to refuse...

or, when a set-based service does many items in one statement, for a chunk of items:

    @bulk.handler("widgets.paint_all", batch=True)
    def paint_chunk(job, item_ids) -> dict:    # {item_id: message or RuleViolation}
        ...

`start()` records the job and one row per item (`BulkJobItem`, in the caller's transaction) and
rings a worker on commit. The runner reads the items still to do a chunk at a time and writes
their results with the chunk's work, so a rerun, a retried task or the sweep after a killed
worker completes each item exactly once, and a job of 20,000 items costs per item what one of
2,000 does (nothing rewrites or holds the whole set).
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from celery import shared_task
from django.db import connection, transaction

from . import clock, fsm
from .copyrows import copy_values
from .exceptions import RuleViolation
from .models import BULK_JOB_TRANSITIONS, BulkJob, BulkJobItem, JobStatus, User
from .queue import enqueue

log = logging.getLogger(__name__)

CHUNK = 250  # items per transaction for batch handlers; progress moves a chunk at a time
WRITE_CHUNK = 5000  # items written per COPY when a job starts

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


def item_labels(job, items: list | None = None) -> dict:
    """Names of `items` (default: all the job's items) for the progress page."""
    labeller = _labellers.get(job.kind)
    if labeller is None:
        return {}
    if items is None:
        items = list(job.items.order_by("seq").values_list("item", flat=True))
    return labeller(items)


def start(
    *, kind: str, actor: User, items: Iterable[object], params: dict[str, Any] | None = None
) -> BulkJob:
    """Record the job and its items (streamed from `items` a chunk at a time, written with
    COPY) and ring a worker on commit."""
    partner = actor.partner
    if partner is None:  # pages start jobs for partner users only
        raise ValueError("A bulk job belongs to a partner: its actor is a partner user.")
    job = BulkJob.objects.create(
        kind=kind,
        partner=partner,
        created_by=actor,
        created_at=clock.now(),
        params=dict(params or {}),
    )
    total = 0
    for chunk in _chunks((str(item) for item in items), WRITE_CHUNK):
        copy_values(
            BulkJobItem,
            [{"job_id": job.pk, "seq": total + k, "item": item} for k, item in enumerate(chunk)],
        )
        total += len(chunk)
    job.total = total
    job.save(update_fields=["total"])
    enqueue(run_bulk_job, job.pk)
    return job


@shared_task(name="core.run_bulk_job", acks_late=True)
def run_bulk_job(job_id: int) -> None:
    """The worker's task: `run` the job (`core.tasks` registers it)."""
    run(job_id)


def run(job_id: int, *, on_chunk: Callable | None = None) -> BulkJob | None:
    """Process every item of the job that has no result yet, a chunk at a time: only the
    chunk is ever in memory, and each chunk's work, results and progress commit together.
    `on_chunk(job)` is called after each committed chunk (progress reporting)."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return job
        if job.status != JobStatus.RUNNING:  # a rerun finds it running already
            fsm.move(job, BULK_JOB_TRANSITIONS, JobStatus.RUNNING)
    size = CHUNK if job.kind in _batch_kinds else 1
    while True:
        # Under the job's row lock, so two runners (a retried task and the sweep) never do one
        # item twice: the second waits, then finds the chunk done.
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job.pk)
            todo = list(
                job.items.filter(ok__isnull=True).order_by("seq").values_list("seq", "item")[:size]
            )
            if not todo:
                break
            outcomes = _outcomes(job, [item for _, item in todo])
            _save_results(job, [(seq, _result(outcomes[item])) for seq, item in todo])
            job.processed += len(todo)
            job.save(update_fields=["processed"])
        if on_chunk is not None:
            on_chunk(job)
    if job.status != JobStatus.DONE:  # a second runner may have finished it meanwhile
        fsm.move(job, BULK_JOB_TRANSITIONS, JobStatus.DONE, finished_at=clock.now())
    job.refresh_from_db()
    return job


def _save_results(job, results: list) -> None:
    """Write a chunk's results in one statement."""
    rows = [(seq, r["ok"], r["message"], r.get("code", "")) for seq, r in results]
    table = BulkJobItem._meta.db_table
    values = ", ".join(["(%s::int, %s::bool, %s::text, %s::text)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS i SET ok = v.ok, message = v.message, code = v.code "
            f"FROM (VALUES {values}) AS v(seq, ok, message, code) "
            "WHERE i.job_id = %s AND i.seq = v.seq",
            [value for row in rows for value in row] + [job.pk],
        )


def _chunks(iterable, size):
    chunk = []
    for value in iterable:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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

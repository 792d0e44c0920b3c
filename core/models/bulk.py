"""Bulk jobs and their items (`core.bulk`)."""

from django.db import models
from django.db.models import Q

from ..fsm_tables import fsm_trigger, initial_state_trigger, status_check
from .tenancy import Partner
from .users import User


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


# A job is queued, a worker runs it (a rerun finds it running), and it is done.
BULK_JOB_TRANSITIONS = {
    JobStatus.QUEUED: [JobStatus.RUNNING],
    JobStatus.RUNNING: [JobStatus.DONE],
}


class BulkJob(models.Model):
    """A bulk action over many items (customers, transfer requests) run by a worker, with
    progress for the page's progress bar and a result per item. Items already done are skipped
    on rerun, so running a job again is safe."""

    kind = models.CharField(max_length=40)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bulk_jobs")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [status_check(BULK_JOB_TRANSITIONS, name="bulk_job_status_valid")]
        triggers = [
            fsm_trigger(BULK_JOB_TRANSITIONS, name="bulk_job_status_fsm"),
            initial_state_trigger(
                BULK_JOB_TRANSITIONS, [JobStatus.QUEUED], name="bulk_job_starts_queued"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.processed}/{self.total})"

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.processed / self.total)

    @property
    def results(self) -> dict:
        """item → {'ok', 'message'[, 'code']} for every item done (reads them all: for tests
        and small jobs; pages read `items` a page at a time)."""
        return {i.item: i.result for i in self.items.exclude(ok=None).order_by("seq")}


class BulkJobItem(models.Model):
    """One item of a bulk job, in the order given, with its result once processed (`ok` is
    null until then). A row per item keeps a job's cost per item flat: a worker reads and
    writes one chunk at a time, never the whole set."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    item = models.CharField(max_length=64)
    ok = models.BooleanField(null=True)
    message = models.TextField(blank=True)
    code = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="bulk_job_item_seq_unique"),
        ]
        indexes = [
            # The runner's next chunk: the job's items still to do, in order.
            models.Index(
                fields=["job", "seq"], condition=Q(ok__isnull=True), name="bulk_job_item_todo"
            ),
        ]

    def __str__(self):
        return f"{self.job_id}:{self.item}"

    @property
    def result(self) -> dict:
        if self.ok is None:
            return {}
        if self.ok:
            return {"ok": True, "message": self.message}
        return {"ok": False, "message": self.message, "code": self.code}

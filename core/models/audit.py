"""The audit log (AC-4): one append-only row per state change or refused attempt."""

import pgtrigger
from django.db import models

from .customers import Customer
from .tenancy import Partner
from .users import User


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    REFUSED = "refused", "Refused"


class AuditEvent(models.Model):
    """One state change or refused attempt (AC-4). Append-only, enforced by a trigger."""

    occurred_at = models.DateTimeField(db_index=True, help_text="Simulation clock time.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="The user's email, or 'system'.")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    operation = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    old_state = models.CharField(max_length=64, blank=True)
    new_state = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["partner", "-occurred_at"])]
        triggers = [
            pgtrigger.Protect(
                name="audit_events_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.operation} {self.outcome}"

    @property
    def change(self):
        if self.old_state or self.new_state:
            return f"{self.old_state or '—'} → {self.new_state or '—'}"
        return ""

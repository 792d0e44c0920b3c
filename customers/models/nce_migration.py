"""A migration of a legacy subscription to new commerce run by the worker (TR-5)."""

import uuid

from django.db import models

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner, User


class MigrationStatus(models.TextChoices):
    """Partner Center's migration statuses ("Get a migration"):
    https://learn.microsoft.com/en-us/partner-center/developer/get-migration"""

    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


NEW_COMMERCE_MIGRATION_TRANSITIONS: dict[str, list[str]] = {
    MigrationStatus.PROCESSING: [MigrationStatus.COMPLETED, MigrationStatus.FAILED],
    MigrationStatus.COMPLETED: [],
    MigrationStatus.FAILED: [],
}


class NewCommerceMigration(models.Model):
    """A request to migrate a legacy subscription to new commerce (TR-5), run by the worker:
    `processing` until the task completes it or records why it failed ("Create a migration",
    https://learn.microsoft.com/en-us/partner-center/developer/create-migration)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    current_subscription = models.ForeignKey(
        "Subscription", on_delete=models.PROTECT, related_name="new_commerce_migrations"
    )
    new_subscription = models.ForeignKey(
        "Subscription", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=MigrationStatus.choices, default=MigrationStatus.PROCESSING
    )
    options = models.JSONField(
        default=dict, blank=True, help_text="termDuration, billingCycle, quantity, fullTerm."
    )
    error_code = models.CharField(max_length=64, blank=True)
    error_description = models.TextField(blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            status_check(
                NEW_COMMERCE_MIGRATION_TRANSITIONS, name="new_commerce_migration_status_valid"
            )
        ]
        triggers = [
            fsm_trigger(
                NEW_COMMERCE_MIGRATION_TRANSITIONS, name="new_commerce_migration_status_fsm"
            ),
            initial_state_trigger(
                NEW_COMMERCE_MIGRATION_TRANSITIONS,
                [MigrationStatus.PROCESSING],
                name="new_commerce_migration_status_initial",
            ),
        ]

    def __str__(self):
        return f"migration {self.pk} ({self.status})"

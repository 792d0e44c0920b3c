"""In-portal notifications and every email the portal sends."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from ..fsm_tables import fsm_trigger, initial_state_trigger, status_check
from .tenancy import Partner
from .users import User


class Notification(models.Model):
    """An in-portal notification for one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.subject


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


# A queued email is delivered once or, after five failed attempts, given up on.
EMAIL_TRANSITIONS = {
    EmailStatus.QUEUED: [EmailStatus.SENT, EmailStatus.FAILED],
}


class OutboundEmail(models.Model):
    """Every email the portal sends: queued in the same transaction as the change that caused
    it, delivered by a worker (or by the sweep when the broker lost the message)."""

    to = ArrayField(models.EmailField())
    subject = models.CharField(max_length=200)
    body = models.TextField()
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["queued_at"], condition=Q(status="queued"), name="email_queued")
        ]
        constraints = [status_check(EMAIL_TRANSITIONS, name="email_status_valid")]
        triggers = [
            fsm_trigger(EMAIL_TRANSITIONS, name="email_status_fsm"),
            initial_state_trigger(
                EMAIL_TRANSITIONS, [EmailStatus.QUEUED], name="email_starts_queued"
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

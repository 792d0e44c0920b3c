"""Partner Center webhooks: a partner's registration, the outbox of events and their deliveries.

Partner Center keeps one registration per partner tenant (`/webhooks/v1/registration` has no
id: GET, POST, PUT and DELETE act on the caller's one registration):
https://learn.microsoft.com/en-us/partner-center/developer/partner-center-webhooks
"""

import secrets
import uuid

from django.db import models

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import AuditEvent, Partner


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookRegistration(models.Model):
    """Where a partner wants its events POSTed, which events, and the key that signs them."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, related_name="webhook_registration"
    )
    webhook_url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Partner Center event names.")
    secret = models.CharField(
        max_length=100, editable=False, help_text="HMAC-SHA256 key; shown once at creation."
    )
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    updated_at = models.DateTimeField(help_text="Simulation clock time.")

    def __str__(self):
        return f"{self.partner} → {self.webhook_url}"


class WebhookEvent(models.Model):
    """An outbox row: one Partner Center event, written in the transaction of the change it
    describes, so it exists exactly when the change committed. `event_id` is stable across
    retries and redeliveries (receivers de-duplicate on it)."""

    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_events")
    event_name = models.CharField(max_length=100)
    resource_name = models.CharField(max_length=100)
    resource_uri = models.CharField(max_length=500)
    audit_uri = models.CharField(max_length=500, blank=True)
    changed_at = models.DateTimeField(help_text="Simulation clock time of the change.")
    payload = models.JSONField()
    audit_event = models.ForeignKey(
        AuditEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.event_name} {self.resource_uri}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


# Retries keep a delivery pending; it ends delivered or failed (after 24 simulated hours), and
# Redeliver sends either again under the same event id.
WEBHOOK_DELIVERY_TRANSITIONS: dict[str, list[str]] = {
    DeliveryStatus.PENDING: [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED],
    DeliveryStatus.DELIVERED: [DeliveryStatus.PENDING],
    DeliveryStatus.FAILED: [DeliveryStatus.PENDING],
}


class WebhookDelivery(models.Model):
    """One event to one registration: attempts, when the next is due, the last answer."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(
        WebhookRegistration, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(
        help_text="Failed attempts are retried until then (24 simulated hours after the change "
        "or the Redeliver), then the delivery fails."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "registration"], name="one_delivery_per_event_and_registration"
            ),
            status_check(WEBHOOK_DELIVERY_TRANSITIONS, name="webhook_delivery_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]
        triggers = [
            fsm_trigger(WEBHOOK_DELIVERY_TRANSITIONS, name="webhook_delivery_status_fsm"),
            initial_state_trigger(
                WEBHOOK_DELIVERY_TRANSITIONS,
                [DeliveryStatus.PENDING],
                name="webhook_delivery_status_initial",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.registration.webhook_url} ({self.status})"

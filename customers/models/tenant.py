"""An indirect customer's tenant as the portal simulates it: its users with their licences, and the
service requests partners open for it (CU-4, CU-6)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner, User


class CustomerUser(models.Model):
    """A user of the customer's tenant (simulated), with the licences assigned to it."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tenant_users")
    display_name = models.CharField(max_length=200)
    email = models.EmailField()
    licenses = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, help_text="Offer IDs."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="customer_user_unique")
        ]

    def __str__(self):
        return self.email


class ServiceRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


SERVICE_REQUEST_TRANSITIONS: dict[str, list[str]] = {
    ServiceRequestStatus.OPEN: [ServiceRequestStatus.CLOSED],
    ServiceRequestStatus.CLOSED: [],
}


class ServiceRequestSeverity(models.TextChoices):
    CRITICAL = "critical", "A — critical"
    HIGH = "high", "B — high"
    NORMAL = "normal", "C — normal"


class ServiceRequest(models.Model):
    """A support request a partner opens on behalf of a customer (CU-4)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="service_requests"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    severity = models.CharField(
        max_length=10, choices=ServiceRequestSeverity.choices, default=ServiceRequestSeverity.NORMAL
    )
    status = models.CharField(
        max_length=10, choices=ServiceRequestStatus.choices, default=ServiceRequestStatus.OPEN
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            status_check(SERVICE_REQUEST_TRANSITIONS, name="service_request_status_valid")
        ]
        triggers = [
            fsm_trigger(SERVICE_REQUEST_TRANSITIONS, name="service_request_status_fsm"),
            initial_state_trigger(
                SERVICE_REQUEST_TRANSITIONS,
                [ServiceRequestStatus.OPEN],
                name="service_request_status_initial",
            ),
        ]

    def __str__(self):
        return self.title

"""Program enrollments: the direct-bill account and its status (DB rules)."""

from django.db import models

from partnerportal.fsm import fsm_trigger
from partnerportal.models import Partner


class DirectBillStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESTRICTED = "restricted", "Restricted"
    CLOSED = "closed", "Closed"


# DB-1: support moves Active ⇄ Restricted; closing ends the enrollment (TX-1).
DIRECT_BILL_TRANSITIONS = {
    DirectBillStatus.ACTIVE: [DirectBillStatus.RESTRICTED, DirectBillStatus.CLOSED],
    DirectBillStatus.RESTRICTED: [DirectBillStatus.ACTIVE, DirectBillStatus.CLOSED],
    DirectBillStatus.CLOSED: [],
}


class DirectBillEnrollment(models.Model):
    """A partner's direct-bill (CSP direct) enrollment."""

    partner = models.OneToOneField(
        Partner, on_delete=models.PROTECT, related_name="direct_bill_enrollment"
    )
    status = models.CharField(
        max_length=12, choices=DirectBillStatus.choices, default=DirectBillStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    status_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "direct-bill enrollment"
        triggers = [fsm_trigger(DIRECT_BILL_TRANSITIONS, name="direct_bill_status_fsm")]

    def __str__(self):
        return f"{self.partner} — direct-bill {self.get_status_display()}"

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


class IndirectStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved — agreement to accept"
    REJECTED = "rejected", "Rejected"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


# EN-4/EN-7: submitted → (under review →) approved → active once the agreement is accepted.
INDIRECT_TRANSITIONS = {
    IndirectStatus.SUBMITTED: [
        IndirectStatus.UNDER_REVIEW,
        IndirectStatus.APPROVED,
        IndirectStatus.REJECTED,
    ],
    IndirectStatus.UNDER_REVIEW: [IndirectStatus.APPROVED, IndirectStatus.REJECTED],
    IndirectStatus.APPROVED: [IndirectStatus.ACTIVE],
    IndirectStatus.ACTIVE: [IndirectStatus.ENDED],
    IndirectStatus.REJECTED: [],
    IndirectStatus.ENDED: [],
}
OPEN_INDIRECT_STATUSES = [
    IndirectStatus.SUBMITTED,
    IndirectStatus.UNDER_REVIEW,
    IndirectStatus.APPROVED,
    IndirectStatus.ACTIVE,
]


class IndirectResellerEnrollment(models.Model):
    """An indirect reseller enrollment request and, once accepted, the program membership."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="indirect_enrollments"
    )
    status = models.CharField(
        max_length=16, choices=IndirectStatus.choices, default=IndirectStatus.SUBMITTED
    )
    legal_name = models.CharField(max_length=200, help_text="Legal name given on the form.")
    primary_contact_email = models.EmailField(help_text="Where the outcome is emailed (EN-5).")
    submitted_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    review_deadline = models.DateTimeField(
        null=True, blank=True, help_text="5 business days after submission (EN-4)."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    agreement_accepted_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incentives_invited_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # EN-3: at most one open indirect reseller enrollment per tenant.
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status__in=OPEN_INDIRECT_STATUSES),
                name="one_open_indirect_enrollment",
            ),
        ]
        triggers = [fsm_trigger(INDIRECT_TRANSITIONS, name="indirect_status_fsm")]

    def __str__(self):
        return f"{self.partner} — indirect reseller {self.get_status_display()}"

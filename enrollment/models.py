"""Program enrollments: the direct-bill account and its status (DB rules)."""

from django.db import models

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Partner

from .agreements import FIRST_VERSION


class DirectBillStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESTRICTED = "restricted", "Restricted"
    CLOSED = "closed", "Closed"


# DB-1: support moves Active ⇄ Restricted; closing ends the enrollment (TX-1).
DIRECT_BILL_TRANSITIONS: dict[str, list[str]] = {
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
        constraints = [status_check(DIRECT_BILL_TRANSITIONS, name="direct_bill_status_valid")]
        triggers = [
            fsm_trigger(DIRECT_BILL_TRANSITIONS, name="direct_bill_status_fsm"),
            # DB-5: an approved application creates the enrollment Active.
            initial_state_trigger(
                DIRECT_BILL_TRANSITIONS,
                [DirectBillStatus.ACTIVE],
                name="direct_bill_status_initial",
            ),
        ]

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
INDIRECT_TRANSITIONS: dict[str, list[str]] = {
    IndirectStatus.SUBMITTED: [
        IndirectStatus.UNDER_REVIEW,
        IndirectStatus.APPROVED,
        IndirectStatus.REJECTED,
    ],
    IndirectStatus.UNDER_REVIEW: [IndirectStatus.APPROVED, IndirectStatus.REJECTED],
    # DB-6: a direct-bill override also ends an approved enrollment whose agreement waits.
    IndirectStatus.APPROVED: [IndirectStatus.ACTIVE, IndirectStatus.ENDED],
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
    primary_contact_email = models.EmailField(help_text="Where the outcome is emailed.")
    submitted_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    review_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the request waits for a staff decision."
    )
    review_deadline = models.DateTimeField(
        null=True, blank=True, help_text="5 business days after submission."
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
    agreement_version = models.CharField(
        max_length=20,
        default=FIRST_VERSION,
        help_text="The version of the partner agreement accepted (enrollment.agreements).",
    )
    incentives_invited_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)
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
            status_check(INDIRECT_TRANSITIONS, name="indirect_status_valid"),
        ]
        triggers = [
            fsm_trigger(INDIRECT_TRANSITIONS, name="indirect_status_fsm"),
            # EN-4/EN-7: every enrollment starts as a submitted form; approval and the
            # agreement come later, as transitions.
            initial_state_trigger(
                INDIRECT_TRANSITIONS, [IndirectStatus.SUBMITTED], name="indirect_status_initial"
            ),
        ]

    def __str__(self):
        return f"{self.partner} — indirect reseller {self.get_status_display()}"


class SupportTopic(models.TextChoices):
    RESTRICT_DIRECT_BILL = "restrict_direct_bill", "Restrict my direct-bill account"
    REACTIVATE_DIRECT_BILL = "reactivate_direct_bill", "Reactivate my direct-bill account"
    OTHER = "other", "Something else"


class SupportRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


SUPPORT_REQUEST_TRANSITIONS: dict[str, list[str]] = {
    SupportRequestStatus.OPEN: [SupportRequestStatus.CLOSED],
    SupportRequestStatus.CLOSED: [],
}


class SupportRequest(models.Model):
    """A partner's request to support ("Contact support"), e.g. to restrict direct-bill (DB-1)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="support_requests")
    topic = models.CharField(max_length=32, choices=SupportTopic.choices)
    message = models.TextField()
    status = models.CharField(
        max_length=8, choices=SupportRequestStatus.choices, default=SupportRequestStatus.OPEN
    )
    created_by = models.ForeignKey("partnerportal.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            status_check(SUPPORT_REQUEST_TRANSITIONS, name="support_request_status_valid")
        ]
        triggers = [
            fsm_trigger(SUPPORT_REQUEST_TRANSITIONS, name="support_request_status_fsm"),
            initial_state_trigger(
                SUPPORT_REQUEST_TRANSITIONS,
                [SupportRequestStatus.OPEN],
                name="support_request_status_initial",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.partner} — {self.get_topic_display()}"


class SupportMessage(models.Model):
    """One message of a support request's thread after the first (the request's own
    `message`): a reply of the partner or an answer of support staff, in clock order."""

    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="thread")
    author = models.ForeignKey("partnerportal.User", on_delete=models.PROTECT, related_name="+")
    from_support = models.BooleanField(help_text="Written by support staff in the admin.")
    body = models.TextField()
    created_at = models.DateTimeField(help_text="Simulation clock time.")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        who = "Support" if self.from_support else "Partner"
        return f"{who} on #{self.request_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# DB-5/DB-6: a direct-bill application waits for a staff decision.
DIRECT_BILL_APPLICATION_TRANSITIONS: dict[str, list[str]] = {
    ApplicationStatus.SUBMITTED: [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED],
    ApplicationStatus.APPROVED: [],
    ApplicationStatus.REJECTED: [],
}


class DirectBillApplication(models.Model):
    """An application for the direct-bill program (DB-5), possibly a single-tenant override of
    an indirect reseller enrollment (DB-6). Approval creates the DirectBillEnrollment."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="direct_bill_applications"
    )
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    revenue_12m_usd = models.DecimalField(
        "CSP revenue, trailing 12 months (USD)", max_digits=14, decimal_places=2
    )
    single_tenant_override = models.BooleanField(
        default=False,
        help_text="This tenant is an indirect reseller; direct-bill overrides it.",
    )
    submitted_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    indirect_access_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="End of the grace period after approval."
    )
    indirect_access_ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status="submitted"),
                name="one_open_direct_bill_application",
            ),
            status_check(
                DIRECT_BILL_APPLICATION_TRANSITIONS, name="direct_bill_application_status_valid"
            ),
            # DB-5: the revenue the applicant declared is an amount, never negative.
            models.CheckConstraint(
                condition=models.Q(revenue_12m_usd__gte=0),
                name="application_revenue_not_negative",
            ),
        ]
        triggers = [
            fsm_trigger(DIRECT_BILL_APPLICATION_TRANSITIONS, name="direct_bill_application_fsm"),
            # DB-5/DB-6: an application waits for a staff decision.
            initial_state_trigger(
                DIRECT_BILL_APPLICATION_TRANSITIONS,
                [ApplicationStatus.SUBMITTED],
                name="direct_bill_application_initial",
            ),
        ]

    def __str__(self):
        return f"{self.partner} — direct-bill application {self.get_status_display()}"


class Sandbox(models.Model):
    """An integration sandbox account (DB-2: not created while direct-bill is restricted)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="sandboxes")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey("partnerportal.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(deleted_at__isnull=True),
                name="one_live_sandbox",
            ),
        ]

    def __str__(self):
        return self.name

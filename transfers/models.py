"""New commerce transfer requests (TR-3..TR-8) and their line items.

A target partner creates a request for a customer; the source partner (the customer's current
billing partner) selects subscriptions and submits; the subscriptions move to the target's
billing account in one transaction. Partner Center's TransferEntity resource names the statuses
"Active" and "Complete" (https://learn.microsoft.com/partner-center/developer/transfer-entity-resources);
the portal shows "Pending", "Complete", "Expired" and "Cancelled" and the API maps them with
`API_STATUS`.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner, User
from customers.models import ProductType, Subscription


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETE = "complete", "Complete"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


# The TransferEntity `status` values the API shows for each of ours: Partner Center has
# "Active" (can still be submitted or deleted) and "Complete"; expiry and cancellation are ours.
API_STATUS: dict[str, str] = {
    TransferStatus.PENDING: "Active",
    TransferStatus.COMPLETE: "Complete",
    TransferStatus.EXPIRED: "Expired",
    TransferStatus.CANCELLED: "Cancelled",
}

# TR-4/TR-7: a pending request completes (source submits), expires (30 days unanswered) or is
# cancelled (target only); every end is final, so an expired request can't be reused.
TRANSFER_TRANSITIONS: dict[str, list[str]] = {
    TransferStatus.PENDING: [
        TransferStatus.COMPLETE,
        TransferStatus.EXPIRED,
        TransferStatus.CANCELLED,
    ],
    TransferStatus.COMPLETE: [],
    TransferStatus.EXPIRED: [],
    TransferStatus.CANCELLED: [],
}
OPEN_STATUSES = [TransferStatus.PENDING]

# TR-5: what can transfer at all (legacy types must be migrated to new commerce first).
TRANSFERABLE_TYPES = [
    ProductType.LICENSE,
    ProductType.AZURE_PLAN,
    ProductType.AZURE_RESERVATION,
    ProductType.AZURE_SAVINGS_PLAN,
]

NEW_COMMERCE = "NewCommerce"


class TransferRequest(models.Model):
    """A new commerce transfer request (Partner Center's TransferEntity)."""

    moved: list[Subscription]  # not a column: what the submit services just moved

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transfers")
    source = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outgoing_transfers")
    target = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="incoming_transfers")
    partner_of_record = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The indirect reseller of record when the target is a provider.",
    )
    customer_email = models.EmailField(help_text="Where the customer's notifications go.")
    target_product_types = ArrayField(
        models.CharField(max_length=24, choices=ProductType.choices),
        default=list,
        blank=True,
        help_text="Empty: every transferable product type.",
    )
    transfer_type = models.CharField(max_length=16, default=NEW_COMMERCE)
    status = models.CharField(
        max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="Created + 30 days.")
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="pending"), name="transfer_pending_due"
            ),
            models.Index(fields=["source", "status"], name="transfer_source_status"),
            models.Index(fields=["target", "status"], name="transfer_target_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="transfer_source_not_target"
            ),
            # One pending request per customer and partner pair: makes the bulk request safe
            # to rerun and a double click harmless.
            models.UniqueConstraint(
                fields=["customer", "source", "target"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_pair",
            ),
            status_check(TRANSFER_TRANSITIONS, name="transfer_status_valid"),
        ]
        triggers = [
            fsm_trigger(TRANSFER_TRANSITIONS, name="transfer_status_fsm"),
            # TR-4/TR-7: a request starts pending; completing, expiring or cancelling it is a
            # transition (so a request can't be born complete and skip the checks of submit).
            initial_state_trigger(
                TRANSFER_TRANSITIONS, [TransferStatus.PENDING], name="transfer_status_initial"
            ),
        ]

    def __str__(self):
        return f"Transfer #{self.pk}: {self.customer} {self.source} → {self.target}"

    @property
    def api_status(self):
        return API_STATUS[self.status]

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class LineStatus(models.TextChoices):
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class TransferLineItem(models.Model):
    """One subscription of a submitted request, and its result.

    TR-7 "a subscription is in at most one open request" is enforced by the database: a line
    claims its subscription (`claims_subscription`, a denormalised flag) and a partial unique
    index allows one claiming line per subscription. Why lines and not the request: the target
    creates a request without subscriptions (Partner Center's flow); the source chooses them at
    submit, and the lines are written in the same transaction that moves the subscriptions, so
    the lines *are* the request's subscriptions. A completed line keeps its claim forever — its
    subscription is ended and can never move again — so a second request (a concurrent submit
    from another source or request that slipped past the row locks, or raw SQL) cannot insert a
    line for the same subscription; the insert blocks on the index until the first commits and
    then fails. The service also locks the subscription rows first (`select_for_update`, in id
    order), so the normal loser gets a clear refusal instead of the IntegrityError; the index
    is the guarantee, the locks are the manners. A line that is released (failed) clears the
    flag.
    """

    request = models.ForeignKey(TransferRequest, on_delete=models.PROTECT, related_name="lines")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="transfer_lines"
    )
    claims_subscription = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=LineStatus.choices, default=LineStatus.COMPLETE
    )
    new_subscription = models.OneToOneField(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(claims_subscription=True),
                name="one_open_transfer_per_subscription",
            ),
            models.UniqueConstraint(
                fields=["request", "subscription"], name="transfer_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LineStatus.values), name="transfer_line_status_valid"
            ),
        ]

    def __str__(self):
        return f"Line {self.pk} of transfer {self.request_id}"

"""Subscriptions, orders, the indirect customer's tenant (users, licences, service requests)
and the customer's acceptance of the Microsoft Customer Agreement."""

import uuid
from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.fsm import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner, User
from enrollment.agreements import FIRST_VERSION

# The most licences one subscription, order line or order request holds; the forms, the services
# and the database (CHECK constraints) all use this bound.
MAX_QUANTITY = 10_000
QUANTITY_IN_RANGE = Q(quantity__gte=1, quantity__lte=MAX_QUANTITY)


class ProductType(models.TextChoices):
    LICENSE = "license", "New commerce license-based"
    AZURE_PLAN = "azure_plan", "Azure plan"
    AZURE_RESERVATION = "azure_reservation", "Azure reservation"
    AZURE_SAVINGS_PLAN = "azure_savings_plan", "Azure savings plan"
    LEGACY_LICENSE = "legacy_license", "Legacy license-based"
    LEGACY_AZURE = "legacy_azure", "Legacy Azure (Microsoft Azure offer MS-AZR-0145P)"


LEGACY_TYPES = (ProductType.LEGACY_LICENSE, ProductType.LEGACY_AZURE)


class SubscriptionStatus(models.TextChoices):
    """Partner Center's subscription statuses."""

    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"
    DELETED = "deleted", "Deleted"


# A live subscription is one its partner still bills (active or suspended).
LIVE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)


# Partner Center: an active subscription can be suspended and reactivated, cancelled (deleted)
# or reach its end (expired); deleted and expired are final. See
# https://learn.microsoft.com/partner-center/developer/suspend-a-subscription and
# https://learn.microsoft.com/partner-center/developer/reactivate-a-suspended-a-subscription
# Transfers end the source subscription with active → deleted (TR-4), as does a legacy
# migration (TR-5).
SUBSCRIPTION_TRANSITIONS = {
    SubscriptionStatus.ACTIVE: [
        SubscriptionStatus.SUSPENDED,
        SubscriptionStatus.DELETED,
        SubscriptionStatus.EXPIRED,
    ],
    SubscriptionStatus.SUSPENDED: [SubscriptionStatus.ACTIVE, SubscriptionStatus.DELETED],
    SubscriptionStatus.EXPIRED: [],
    SubscriptionStatus.DELETED: [],
}


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    ANNUAL = "annual", "Annual"
    TRIENNIAL = "triennial", "Triennial"
    NONE = "none", "None (usage-based)"


class Subscription(models.Model):
    """A subscription of a customer, billed by exactly one partner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    billing_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="billed_subscriptions",
        help_text="The partner that bills the customer: the direct-bill partner or the provider.",
    )
    partner_of_record = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The indirect reseller of record, when a provider bills.",
    )
    offer_id = models.CharField(max_length=100)
    offer_name = models.CharField(max_length=200)
    product_type = models.CharField(max_length=24, choices=ProductType.choices)
    quantity = models.PositiveIntegerField(default=1)
    term_duration = models.CharField(
        max_length=8, default="P1Y", help_text="ISO 8601: P1M, P1Y, P3Y"
    )
    billing_cycle = models.CharField(
        max_length=12, choices=BillingCycle.choices, default=BillingCycle.MONTHLY
    )
    commitment_end_date = models.DateField(
        null=True, blank=True, help_text="The last day of the current term (of the trial)."
    )
    term_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the current term started (purchase or last renewal); the "
        "cancellation window runs from here. Empty: since created_at.",
    )
    auto_renew = models.BooleanField(
        default=True, help_text="Renew at term end; on a trial: convert to paid when it ends."
    )
    renewal_quantity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The seat count scheduled for the next renewal; empty: unchanged.",
    )
    is_trial = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="add_ons",
        help_text="The base subscription of an add-on.",
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    migrated_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="migrated_to",
        help_text="The legacy subscription this new commerce one replaced.",
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["customer_id", "offer_name", "id"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            # The sweep's NC-1 and NC-3 queries (customers.lifecycle): a few due rows found by
            # index at any size, and nothing scanned when nothing is due.
            models.Index(
                fields=["commitment_end_date"],
                condition=Q(status="active", product_type="license", is_trial=False),
                name="subscription_term_end_due",
            ),
            models.Index(
                fields=["commitment_end_date", "created_at"],
                condition=Q(status__in=["active", "suspended"], is_trial=True),
                name="subscription_trial_end_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=QUANTITY_IN_RANGE, name="subscription_quantity_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="subscription_not_own_add_on"
            ),
            status_check(SUBSCRIPTION_TRANSITIONS, name="subscription_status_valid"),
        ]
        triggers = [
            fsm_trigger(SUBSCRIPTION_TRANSITIONS, name="subscription_status_fsm"),
            # A purchase, an order and a legacy migration (TR-5) create active subscriptions; a
            # transfer's successor keeps its predecessor's status, and a suspended add-on moves
            # suspended with its base (TR-11).
            initial_state_trigger(
                SUBSCRIPTION_TRANSITIONS,
                [SubscriptionStatus.ACTIVE],
                name="subscription_status_initial",
                allow=pgtrigger.Q(
                    new__status=SubscriptionStatus.SUSPENDED,
                    new__transferred_from__isnull=False,
                ),
            ),
        ]

    def __str__(self):
        return f"{self.offer_name} ×{self.quantity}"

    @property
    def is_legacy(self):
        return self.product_type in LEGACY_TYPES

    @property
    def is_add_on(self):
        return self.parent_id is not None

    @property
    def term_start(self):
        """When the current term (or trial) started: the last renewal, else the purchase."""
        return self.term_started_at or self.created_at

    @property
    def cancellation_window_closes(self):
        """When the window to cancel this subscription or reduce its seats closes (NC-2); None
        when no window applies (trials, legacy and Azure can be cancelled at any time).

        Partner Center's new commerce cancellation policy: a licence-based subscription can be
        cancelled, and its seats reduced, within 7 days (168 hours) of purchase or renewal; the
        window "doesn't reopen until the subscription itself renews into a new term".
        https://learn.microsoft.com/partner-center/customers/new-commerce-cancellation-policy
        """
        if self.product_type != ProductType.LICENSE or self.is_trial:
            return None
        hours = settings.PROGRAM_RULES["NC_CANCELLATION_WINDOW_HOURS"]
        return self.term_start + timedelta(hours=hours)


class McaMethod(models.TextChoices):
    ATTESTATION = "attestation", "Partner attestation"
    ADMIN_CENTER = "admin_center", "Accepted by the customer in the admin center"


class McaAcceptance(models.Model):
    """An acceptance of the Microsoft Customer Agreement (MCA-2).

    An attestation belongs to the partner that made it; an admin-center acceptance belongs to
    the customer and holds for every partner (MCA-3).
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mca_acceptances")
    method = models.CharField(max_length=16, choices=McaMethod.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="mca_attestations"
    )
    signatory_name = models.CharField(max_length=200)
    signatory_email = models.EmailField()
    accepted_on = models.DateField()
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    agreement_version = models.CharField(
        max_length=20,
        default=FIRST_VERSION,
        help_text="The version of the customer agreement accepted (enrollment.agreements).",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(method="attestation") & Q(partner__isnull=False))
                | (Q(method="admin_center") & Q(partner__isnull=True)),
                name="attestation_names_partner",
            ),
        ]

    def __str__(self):
        return f"MCA {self.get_method_display()} for {self.customer}"


class OrderRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the provider"
    ORDERED = "ordered", "Ordered by the provider"
    DECLINED = "declined", "Declined"


ORDER_REQUEST_TRANSITIONS = {
    OrderRequestStatus.OPEN: [OrderRequestStatus.ORDERED, OrderRequestStatus.DECLINED],
    OrderRequestStatus.ORDERED: [],
    OrderRequestStatus.DECLINED: [],
}


class OrderRequest(models.Model):
    """An indirect reseller asks its provider to order products for a customer (CU-4)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="order_requests")
    reseller = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    offer_id = models.CharField(max_length=100)
    offer_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=OrderRequestStatus.choices, default=OrderRequestStatus.OPEN
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    order = models.OneToOneField(
        "Order", on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["provider", "requested_at"],
                condition=Q(status="open"),
                name="order_request_open_queue",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=QUANTITY_IN_RANGE, name="order_request_quantity_in_range"
            ),
            status_check(ORDER_REQUEST_TRANSITIONS, name="order_request_status_valid"),
            models.CheckConstraint(
                condition=Q(status="ordered", order__isnull=False)
                | Q(status="declined", order__isnull=True, decided_at__isnull=False)
                & ~Q(decline_reason="")
                | Q(status="open", order__isnull=True, decided_at__isnull=True),
                name="order_request_decision_recorded",
            ),
        ]
        triggers = [
            fsm_trigger(ORDER_REQUEST_TRANSITIONS, name="order_request_status_fsm"),
            # IR-2: a request waits for the provider; ordering or declining it is a transition.
            initial_state_trigger(
                ORDER_REQUEST_TRANSITIONS,
                [OrderRequestStatus.OPEN],
                name="order_request_status_initial",
            ),
        ]

    def __str__(self):
        return f"{self.offer_name} ×{self.quantity} for {self.customer}"


class Order(models.Model):
    """An order placed for a customer: by a direct-bill partner ("Add products") or by a
    provider for its reseller's customer (CU-4). Its lines created subscriptions."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    billing_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="orders")
    partner_of_record = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self):
        return f"Order #{self.pk} for {self.customer}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    offer_id = models.CharField(max_length=100)
    offer_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price_usd = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    subscription = models.OneToOneField(
        Subscription, on_delete=models.PROTECT, related_name="order_line"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=QUANTITY_IN_RANGE, name="order_line_quantity_in_range"
            ),
            models.CheckConstraint(
                condition=Q(unit_price_usd__gte=0), name="order_line_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.offer_name} ×{self.quantity}"


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


SERVICE_REQUEST_TRANSITIONS = {
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


class MigrationStatus(models.TextChoices):
    """Partner Center's migration statuses ("Get a migration"):
    https://learn.microsoft.com/en-us/partner-center/developer/get-migration"""

    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


NEW_COMMERCE_MIGRATION_TRANSITIONS = {
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

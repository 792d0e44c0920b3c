"""Subscriptions: what a customer buys, billed by one partner, with the status machine of
Partner Center (active, suspended, expired, deleted) and the seat bound every layer shares."""

import uuid
from datetime import timedelta
from typing import cast

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner

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
SUBSCRIPTION_TRANSITIONS: dict[str, list[str]] = {
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
        hours = cast(int, settings.PROGRAM_RULES["NC_CANCELLATION_WINDOW_HOURS"])
        return self.term_start + timedelta(hours=hours)

"""Subscriptions, and the customer's acceptance of the Microsoft Customer Agreement."""

import uuid

from django.db import models
from django.db.models import Q

from partnerportal.models import Customer, Partner, User


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
        help_text="The indirect reseller of record, when a provider bills (TR-1).",
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
    commitment_end_date = models.DateField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True)
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
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["customer_id", "offer_name", "id"]
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="subscription_quantity_positive"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="subscription_not_own_add_on"
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

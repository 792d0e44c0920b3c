"""Orders and their lines (CU-5, MV-1), and an indirect reseller's order requests to its provider
(IR-2)."""

from django.db import models
from django.db.models import Q

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, Partner, User

from .subscriptions import QUANTITY_IN_RANGE, Subscription


class OrderRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the provider"
    ORDERED = "ordered", "Ordered by the provider"
    DECLINED = "declined", "Declined"


ORDER_REQUEST_TRANSITIONS: dict[str, list[str]] = {
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

"""Subscriptions, orders, the indirect customer's tenant (users, licences, service requests),
the customer's acceptance of the Microsoft Customer Agreement and new commerce migrations —
one module per topic, every model and table re-exported here (`customers.models.X`)."""

from .mca import McaAcceptance, McaMethod
from .nce_migration import NEW_COMMERCE_MIGRATION_TRANSITIONS, MigrationStatus, NewCommerceMigration
from .orders import ORDER_REQUEST_TRANSITIONS, Order, OrderLine, OrderRequest, OrderRequestStatus
from .subscriptions import (
    LEGACY_TYPES,
    LIVE_STATUSES,
    MAX_QUANTITY,
    QUANTITY_IN_RANGE,
    SUBSCRIPTION_TRANSITIONS,
    BillingCycle,
    ProductType,
    Subscription,
    SubscriptionStatus,
)
from .tenant import (
    SERVICE_REQUEST_TRANSITIONS,
    CustomerUser,
    ServiceRequest,
    ServiceRequestSeverity,
    ServiceRequestStatus,
)

__all__ = [
    "LEGACY_TYPES",
    "LIVE_STATUSES",
    "MAX_QUANTITY",
    "NEW_COMMERCE_MIGRATION_TRANSITIONS",
    "ORDER_REQUEST_TRANSITIONS",
    "QUANTITY_IN_RANGE",
    "SERVICE_REQUEST_TRANSITIONS",
    "SUBSCRIPTION_TRANSITIONS",
    "BillingCycle",
    "CustomerUser",
    "McaAcceptance",
    "McaMethod",
    "MigrationStatus",
    "NewCommerceMigration",
    "Order",
    "OrderLine",
    "OrderRequest",
    "OrderRequestStatus",
    "ProductType",
    "ServiceRequest",
    "ServiceRequestSeverity",
    "ServiceRequestStatus",
    "Subscription",
    "SubscriptionStatus",
]

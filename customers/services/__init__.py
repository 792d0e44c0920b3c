"""The customers app's writes — every page, API call and task calls these: customer tenants
(`customers`: CU-3, DB-2), orders and purchases (`orders`: CU-5, MV-1), order requests
(`order_requests`: IR-2), subscription management (`subscriptions`: NC-1..NC-4), the legacy →
new commerce migration (`migration`: TR-5), an indirect customer's users, licences and service
requests (`tenant`: CU-4, CU-6) and the MCA (`mca`: MCA-2); `common` holds what they share.
Reads are in `customers.selectors`. The services are re-exported here, so
`customers.services.<service>` reaches each one; the app's own modules import the topic
module."""

from .customers import customer_create
from .mca import mca_accept, mca_attest
from .migration import subscription_migrate_new_commerce
from .order_requests import order_request_create, order_request_decline
from .orders import order_submit, subscription_purchase
from .subscriptions import (
    subscription_auto_renew,
    subscription_cancel,
    subscription_change_quantity,
    subscription_reactivate,
    subscription_schedule_quantity,
    subscription_suspend,
    subscription_update,
)
from .tenant import (
    customer_user_create,
    license_assign,
    service_request_close,
    service_request_create,
)

__all__ = [
    "customer_create",
    "customer_user_create",
    "license_assign",
    "mca_accept",
    "mca_attest",
    "order_request_create",
    "order_request_decline",
    "order_submit",
    "service_request_close",
    "service_request_create",
    "subscription_auto_renew",
    "subscription_cancel",
    "subscription_change_quantity",
    "subscription_migrate_new_commerce",
    "subscription_purchase",
    "subscription_reactivate",
    "subscription_schedule_quantity",
    "subscription_suspend",
    "subscription_update",
]

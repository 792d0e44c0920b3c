"""The customers app's writes — every page, API call and task calls these: customer tenants
(CU-3, DB-2), orders and purchases (CU-5, MV-1), order requests (IR-2), subscription management
(NC-1..NC-4), the legacy → new commerce migration (TR-5), an indirect customer's users,
licences and service requests (CU-4, CU-6) and the MCA (MCA-2). Reads are in
`customers.selectors`. The names below are re-exported so `customers.services.<service>`
reaches every service; the code lives in the topic modules."""

from .common import MANAGE_ROLES, MCA_ROLES
from .customers import check_can_create_customers, create_customer_refusal, customer_create
from .mca import mca_accept, mca_attest
from .migration import checked_migration, subscription_migrate_new_commerce
from .order_requests import order_request_create, order_request_decline, order_request_fulfilled
from .orders import order_submit, purchase_refusal, subscription_purchase
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
    "MANAGE_ROLES",
    "MCA_ROLES",
    "check_can_create_customers",
    "checked_migration",
    "create_customer_refusal",
    "customer_create",
    "customer_user_create",
    "license_assign",
    "mca_accept",
    "mca_attest",
    "order_request_create",
    "order_request_decline",
    "order_request_fulfilled",
    "order_submit",
    "purchase_refusal",
    "service_request_close",
    "service_request_create",
    "subscription_cancel",
    "subscription_change_quantity",
    "subscription_migrate_new_commerce",
    "subscription_purchase",
    "subscription_reactivate",
    "subscription_schedule_quantity",
    "subscription_auto_renew",
    "subscription_suspend",
    "subscription_update",
]

from django.urls import path

from .views import agreements, export, indirect, mca, order_requests, subscriptions
from .views import customers as customer_views

urlpatterns = [
    path("customers/", customer_views.customer_list_view, name="customer_list"),
    path("customers/export.csv", export.customer_export_view, name="customer_export"),
    path("customers/new/", customer_views.customer_create_view, name="customer_create"),
    path("customers/<int:pk>/", customer_views.customer_detail_view, name="customer_detail"),
    path("customers/<int:pk>/purchase/", subscriptions.purchase_view, name="customer_purchase"),
    path(
        "customers/<int:pk>/subscriptions/<uuid:sid>/<slug:action>/",
        subscriptions.subscription_action_view,
        name="subscription_action",
    ),
    path("customers/<int:pk>/order-requests/", indirect.order_request_view, name="order_request"),
    path("customers/<int:pk>/orders/", indirect.order_submit_view, name="order_submit"),
    path("order-requests/", order_requests.order_request_list_view, name="order_request_list"),
    path(
        "order-requests/<int:rid>/fulfil/",
        order_requests.order_request_fulfil_view,
        name="order_request_fulfil",
    ),
    path(
        "order-requests/<int:rid>/decline/",
        order_requests.order_request_decline_view,
        name="order_request_decline",
    ),
    path(
        "customers/<int:pk>/service-requests/",
        indirect.service_request_view,
        name="service_request_create",
    ),
    path(
        "customers/<int:pk>/service-requests/<int:rid>/close/",
        indirect.service_request_close_view,
        name="service_request_close",
    ),
    path("customers/<int:pk>/users/", indirect.customer_user_view, name="customer_user_create"),
    path(
        "customers/<int:pk>/users/<int:uid>/licenses/",
        indirect.license_view,
        name="customer_user_license",
    ),
    path("customers/<int:pk>/mca/", mca.mca_attest_view, name="mca_attest"),
    path(
        "account/agreements/customer-agreement/",
        agreements.customer_agreement_text,
        name="agreement_customer_text",
    ),
    path(
        "account/agreements/customer-agreement/download/",
        agreements.customer_agreement_download,
        name="agreement_customer_download",
    ),
    path("admin-center/agreement/", mca.mca_admin_center_view, name="mca_admin_center"),
    path(
        "admin-center/agreement/<int:pk>/download/",
        agreements.mca_admin_center_download,
        name="mca_admin_center_download",
    ),
]

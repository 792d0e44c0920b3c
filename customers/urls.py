from django.urls import path

from . import agreement_views, export_views, order_request_views, views

urlpatterns = [
    path("customers/", views.customer_list_view, name="customer_list"),
    path("customers/export.csv", export_views.customer_export_view, name="customer_export"),
    path("customers/new/", views.customer_create_view, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail_view, name="customer_detail"),
    path("customers/<int:pk>/purchase/", views.purchase_view, name="customer_purchase"),
    path(
        "customers/<int:pk>/subscriptions/<uuid:sid>/<slug:action>/",
        views.subscription_action_view,
        name="subscription_action",
    ),
    path("customers/<int:pk>/order-requests/", views.order_request_view, name="order_request"),
    path("customers/<int:pk>/orders/", views.order_submit_view, name="order_submit"),
    path("order-requests/", order_request_views.order_request_list_view, name="order_request_list"),
    path(
        "order-requests/<int:rid>/fulfil/",
        order_request_views.order_request_fulfil_view,
        name="order_request_fulfil",
    ),
    path(
        "order-requests/<int:rid>/decline/",
        order_request_views.order_request_decline_view,
        name="order_request_decline",
    ),
    path(
        "customers/<int:pk>/service-requests/",
        views.service_request_view,
        name="service_request_create",
    ),
    path(
        "customers/<int:pk>/service-requests/<int:rid>/close/",
        views.service_request_close_view,
        name="service_request_close",
    ),
    path("customers/<int:pk>/users/", views.customer_user_view, name="customer_user_create"),
    path(
        "customers/<int:pk>/users/<int:uid>/licenses/",
        views.license_view,
        name="customer_user_license",
    ),
    path("customers/<int:pk>/mca/", views.mca_attest_view, name="mca_attest"),
    path(
        "account/agreements/customer-agreement/",
        agreement_views.customer_agreement_text,
        name="agreement_customer_text",
    ),
    path(
        "account/agreements/customer-agreement/download/",
        agreement_views.customer_agreement_download,
        name="agreement_customer_download",
    ),
    path("admin-center/agreement/", views.mca_admin_center_view, name="mca_admin_center"),
    path(
        "admin-center/agreement/<int:pk>/download/",
        agreement_views.mca_admin_center_download,
        name="mca_admin_center_download",
    ),
]

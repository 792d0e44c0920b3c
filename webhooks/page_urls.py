"""App management › Webhooks (portal pages)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("apps/webhooks/", pages.webhook_list, name="webhooks"),
    path("apps/webhooks/test/", pages.webhook_send_test, name="webhook_send_test"),
    path(
        "apps/webhooks/deliveries/<int:pk>/redeliver/",
        pages.webhook_redeliver,
        name="webhook_redeliver",
    ),
]

"""/webhooks/v1/: Partner Center's webhook registration API."""

from django.urls import re_path

from api.urls import not_found

from . import api

# Paths match case-insensitively and with or without a trailing slash, as the /v1 API's do.
urlpatterns = [
    re_path(r"^(?i:registration)/?$", api.RegistrationView.as_view(), name="webhook_registration"),
    re_path(
        r"^(?i:registration/validationEvents)/?$",
        api.ValidationEventsView.as_view(),
        name="webhook_validation_events",
    ),
    re_path(
        r"^(?i:registration/validationEvents)/(?P<correlation_id>[^/]+)/?$",
        api.ValidationEventStatusView.as_view(),
        name="webhook_validation_event",
    ),
    re_path(r"^(?i:availableEvents)/?$", api.AvailableEventsView.as_view(), name="webhook_events"),
    re_path(r"^(?P<rest>.*)$", not_found),
]

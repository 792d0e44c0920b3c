"""/webhooks/v1/: Partner Center's webhook registration API (paths as Partner Center spells
them, with or without a trailing slash)."""

from django.urls import re_path

from api.urls import not_found

from . import api

urlpatterns = [
    re_path(r"^registration/?$", api.RegistrationView.as_view(), name="webhook_registration"),
    re_path(
        r"^registration/validationEvents/?$",
        api.ValidationEventsView.as_view(),
        name="webhook_validation_events",
    ),
    re_path(
        r"^registration/validationEvents/(?P<correlation_id>[^/]+)/?$",
        api.ValidationEventStatusView.as_view(),
        name="webhook_validation_event",
    ),
    re_path(r"^availableEvents/?$", api.AvailableEventsView.as_view(), name="webhook_events"),
    re_path(r"^(?P<rest>.*)$", not_found),
]

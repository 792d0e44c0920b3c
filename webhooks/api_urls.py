"""/webhooks/v1/: Partner Center's webhook registration API. Paths are written once, as
Partner Center spells them; any case and a trailing slash match too
(`api.middleware.CanonicalApiPathMiddleware`)."""

from django.urls import path, re_path

from api.urls import not_found

from . import api

urlpatterns = [
    path("registration", api.RegistrationView.as_view(), name="webhook_registration"),
    path(
        "registration/validationEvents",
        api.ValidationEventsView.as_view(),
        name="webhook_validation_events",
    ),
    path(
        "registration/validationEvents/<str:correlation_id>",
        api.ValidationEventStatusView.as_view(),
        name="webhook_validation_event",
    ),
    path("availableEvents", api.AvailableEventsView.as_view(), name="webhook_events"),
    re_path(r"^(?P<rest>.*)$", not_found),
]

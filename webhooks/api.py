"""The Partner Center webhook API under /webhooks/v1/, with the /v1 API's bearer tokens, error
body and limits.

Operations as Partner Center documents them
(https://learn.microsoft.com/en-us/partner-center/developer/partner-center-webhooks and
https://learn.microsoft.com/en-us/rest/api/partner-center/webhook): GET/POST/PUT/DELETE
`registration` (one per partner; body `WebhookUrl`, `WebhookEvents`; response adds
`SubscriberId`), GET `availableEvents`, POST `registration/validationEvents` (returns a
`correlationId`) and GET `registration/validationEvents/{correlationId}` (its delivery status).
"""

from django.conf import settings
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.base import PartnerCenterView, errors, idempotent
from api.views.common import parse_uuid
from core.validators import parse_id

from . import events, services
from .exceptions import WebhookBodyTooLarge, WebhookNotRegistered
from .models import WebhookDelivery, WebhookRegistration

REGISTRATION = inline_serializer(
    "WebhookRegistration",
    {
        "SubscriberId": serializers.UUIDField(),
        "WebhookUrl": serializers.URLField(),
        "WebhookEvents": serializers.ListField(child=serializers.CharField()),
    },
)
REGISTRATION_IN = inline_serializer(
    "WebhookRegistrationInput",
    {
        "WebhookUrl": serializers.URLField(),
        "WebhookEvents": serializers.ListField(child=serializers.CharField()),
    },
)


def registration_json(registration: WebhookRegistration) -> dict:
    return {
        "SubscriberId": str(registration.partner.tenant_id),
        "WebhookUrl": registration.webhook_url,
        "WebhookEvents": list(registration.events),
    }


class WebhookView(PartnerCenterView):
    """A registration body is small: beyond WEBHOOK_MAX_BODY_BYTES it is refused with a 400."""

    def initial(self, request, *args, **kwargs):
        limit = settings.WEBHOOK_MAX_BODY_BYTES
        if (parse_id(request.META.get("CONTENT_LENGTH")) or 0) > limit:
            # Whatever the size (even beyond the /v1 API's 413 limit) a caller of ours gets the
            # documented 400; a stranger still gets the 401 first.
            self.perform_authentication(request)
            self.check_permissions(request)
            raise WebhookBodyTooLarge(f"The registration body is larger than {limit} bytes.")
        super().initial(request, *args, **kwargs)
        if len(request.body) > limit:  # a body sent without a Content-Length
            raise WebhookBodyTooLarge(f"The registration body is larger than {limit} bytes.")

    def registration_input(self, request) -> dict:
        """`WebhookUrl` and `WebhookEvents`, property names matched case-insensitively."""
        data = request.data if isinstance(request.data, dict) else {}
        lowered = {str(k).lower(): v for k, v in data.items()}
        return {
            "webhook_url": lowered.get("webhookurl"),
            "webhook_events": lowered.get("webhookevents"),
            "portal_host": request.get_host(),
        }


class RegistrationView(WebhookView):
    @extend_schema(
        operation_id="webhook_registration_get", responses={200: REGISTRATION, **errors(404)}
    )
    def get(self, request):
        registration = WebhookRegistration.objects.filter(partner=request.partner).first()
        if registration is None:
            raise WebhookNotRegistered()
        return Response(registration_json(registration))

    @extend_schema(
        operation_id="webhook_registration_create",
        request=REGISTRATION_IN,
        responses={200: REGISTRATION, **errors(400, 409)},
        description="Registers the callback. The response's `Secret` (ours) signs every "
        "delivery; it is shown only here (docs/webhooks.md).",
    )
    @idempotent
    def post(self, request):
        registration, secret = services.webhook_register(
            actor=request.user, **self.registration_input(request)
        )
        return Response({**registration_json(registration), "Secret": secret})

    @extend_schema(
        operation_id="webhook_registration_update",
        request=REGISTRATION_IN,
        responses={200: REGISTRATION, **errors(400, 404)},
    )
    def put(self, request):
        registration = services.webhook_update(
            actor=request.user, **self.registration_input(request)
        )
        return Response(registration_json(registration))

    @extend_schema(operation_id="webhook_registration_delete", responses={204: None, **errors(404)})
    def delete(self, request):
        services.webhook_unregister(actor=request.user)
        return Response(status=204)


class AvailableEventsView(WebhookView):
    @extend_schema(
        operation_id="webhook_available_events",
        responses={200: build_array_type(build_basic_type(OpenApiTypes.STR))},
    )
    def get(self, request):
        return Response(list(events.AVAILABLE_EVENTS))


class ValidationEventsView(WebhookView):
    @extend_schema(
        operation_id="webhook_validation_event_create",
        request=None,
        responses={
            200: inline_serializer("CorrelationId", {"correlationId": serializers.UUIDField()}),
            **errors(404),
        },
        description="Sends a `test-created` event to the registered URL.",
    )
    @idempotent
    def post(self, request):
        event = services.webhook_send_test(actor=request.user)
        return Response({"correlationId": str(event.event_id)})


class ValidationEventStatusView(WebhookView):
    @extend_schema(
        operation_id="webhook_validation_event_status",
        responses={
            200: inline_serializer(
                "ValidationEventStatus",
                {
                    "correlationId": serializers.UUIDField(),
                    "partnerId": serializers.UUIDField(),
                    "status": serializers.CharField(),
                    "events": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **errors(404),
        },
    )
    def get(self, request, correlation_id):
        correlation = parse_uuid(correlation_id, "validation event")
        delivery = (
            WebhookDelivery.objects.select_related("event")
            .filter(
                event__event_id=correlation,
                event__event_name=events.TEST_CREATED,
                registration__partner=request.partner,
            )
            .first()
        )
        if delivery is None:
            raise WebhookNotRegistered("No such validation event of your organisation.")
        return Response(
            {
                "correlationId": str(correlation),
                "partnerId": str(request.partner.tenant_id),
                "status": delivery.status,
                "events": [
                    {
                        "eventName": delivery.event.event_name,
                        "status": delivery.status,
                        "attempts": delivery.attempts,
                        "responseCode": delivery.last_response_code,
                        "errorMessage": delivery.last_error or None,
                    }
                ],
            }
        )

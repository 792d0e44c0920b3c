"""Webhooks for support staff (AC-5): registrations, events and deliveries are read-only here;
staff act through the same services as the App management › Webhooks page — Send test event,
Delete registration, Redeliver — as admin actions, each audited by its service. The signing
secret is never shown."""

from django.contrib import admin, messages

from core.audited_admin import ServiceActionsAdmin
from core.exceptions import RuleViolation

from . import services
from .models import WebhookDelivery, WebhookEvent, WebhookRegistration


class WebhookAdmin(ServiceActionsAdmin):
    """Read-only for every active staff member; changes only through the actions."""

    def _run(self, request, queryset, call, done: str) -> None:
        """`call(obj)` for each selected row; report the successes and each refusal."""
        ok = 0
        for obj in queryset:
            try:
                call(obj)
            except RuleViolation as error:
                self.message_user(request, f"{obj}: {error}", messages.ERROR)
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{done}: {ok}.", messages.SUCCESS)


@admin.register(WebhookRegistration)
class WebhookRegistrationAdmin(WebhookAdmin):
    list_display = ["partner", "webhook_url", "event_names", "updated_at"]
    search_fields = ["partner__legal_name", "partner__partner_id", "webhook_url"]
    list_select_related = ["partner"]
    fields = ["partner", "webhook_url", "events", "created_at", "updated_at"]
    actions = ["send_test_event", "delete_registration"]

    @admin.display(description="Events")
    def event_names(self, obj):
        return ", ".join(obj.events)

    @admin.action(description="Send test event (test-created) to selected registrations")
    def send_test_event(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda obj: services.webhook_send_test(actor=request.user, partner=obj.partner),
            "Test events queued",
        )

    @admin.action(description="Delete selected registrations (their pending deliveries too)")
    def delete_registration(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda obj: services.webhook_unregister(actor=request.user, partner=obj.partner),
            "Registrations deleted",
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(WebhookAdmin):
    list_display = ["event_name", "partner", "resource_uri", "changed_at", "event_id"]
    list_filter = ["event_name"]
    search_fields = ["event_id", "resource_uri", "partner__legal_name"]
    list_select_related = ["partner"]
    fields = [
        "event_id",
        "partner",
        "event_name",
        "resource_name",
        "resource_uri",
        "audit_uri",
        "changed_at",
        "payload",
        "audit_event",
    ]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WebhookAdmin):
    list_display = [
        "event",
        "partner",
        "status",
        "attempts",
        "last_response_code",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    search_fields = ["event__event_id", "registration__partner__legal_name"]
    list_select_related = ["event", "registration__partner"]
    fields = [
        "event",
        "registration",
        "status",
        "attempts",
        "next_attempt_at",
        "retry_until",
        "last_attempt_at",
        "last_response_code",
        "last_error",
    ]
    actions = ["redeliver"]

    def audit_partner(self, obj):
        return obj.registration.partner

    @admin.display(description="Partner", ordering="registration__partner__legal_name")
    def partner(self, obj):
        return obj.registration.partner

    @admin.action(description="Redeliver selected (same event id, fresh retry schedule)")
    def redeliver(self, request, queryset):
        self._run(
            request,
            queryset.select_related("registration__partner"),
            lambda obj: services.webhook_redeliver(actor=request.user, delivery=obj),
            "Queued again",
        )

"""API tokens and idempotency records for support staff (AC-5): a token is created only through
`api_token_create` (its secret shown once to its user) and revoked through `api_token_revoke`,
here as an admin action; its owner and dates are read-only, and every save is audited."""

from django.contrib import admin, messages

from core.audited_admin import AuditedAdmin, ReadOnlyAdmin
from core.exceptions import RuleViolation

from . import services
from .models import ApiToken, IdempotencyRecord


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = (
        "user",
        "token_hash",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user", "user__partner")
    actions = ["revoke"]

    def audit_partner(self, obj):
        return obj.user.partner

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected API tokens")
    def revoke(self, request, queryset):
        done = 0
        for token in queryset:
            try:
                services.api_token_revoke(actor=request.user, token=token)
            except RuleViolation as error:
                self.message_user(request, f"{token}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Revoked: {done}.", messages.SUCCESS)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "request_id",
        "partner",
        "user",
        "method",
        "path",
        "status_code",
        "created_at",
    )
    search_fields = ("request_id", "path")
    list_select_related = ("partner", "user")

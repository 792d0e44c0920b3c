from django.contrib import admin

from .models import ApiToken, IdempotencyRecord


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_at")
    list_select_related = ("user",)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
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

from django.contrib import admin

from core.audited_admin import ReadOnlyAdmin

from .models import TransferLineItem, TransferRequest


class LineInline(admin.TabularInline):
    model = TransferLineItem
    extra = 0
    can_delete = False
    readonly_fields = ["subscription", "new_subscription", "status", "claims_subscription", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TransferRequest)
class TransferRequestAdmin(ReadOnlyAdmin):
    """Read-only: every change goes through the transfer services (AC-5)."""

    partner_field = "source"

    list_display = ["pk", "customer", "source", "target", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["customer__company_name", "source__legal_name", "target__legal_name"]
    list_select_related = ["customer", "source", "target"]
    inlines = [LineInline]

from django.contrib import admin

from .models import TransferLineItem, TransferRequest


class LineInline(admin.TabularInline):
    model = TransferLineItem
    extra = 0
    can_delete = False
    readonly_fields = ["subscription", "new_subscription", "status", "claims_subscription", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TransferRequest)
class TransferRequestAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the transfer services."""

    list_display = ["pk", "customer", "source", "target", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["customer__company_name", "source__legal_name", "target__legal_name"]
    list_select_related = ["customer", "source", "target"]
    inlines = [LineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Support staff can look at customers' subscriptions, orders and requests. Status changes go
through the services (the pages), so status fields are read-only here, as is who bills what
(TR-10); the other edits of subscriptions and MCA acceptances are audited (AuditedAdmin)."""

from django.contrib import admin

from partnerportal.audited_admin import AuditedAdmin

from .models import (
    CustomerUser,
    McaAcceptance,
    Order,
    OrderLine,
    OrderRequest,
    ServiceRequest,
    Subscription,
)


@admin.register(Subscription)
class SubscriptionAdmin(AuditedAdmin):
    partner_field = "billing_partner"
    list_display = [
        "offer_name",
        "customer",
        "billing_partner",
        "partner_of_record",
        "product_type",
        "quantity",
        "status",
    ]
    list_filter = ["status", "product_type", "is_trial"]
    search_fields = ["offer_name", "offer_id", "customer__company_name"]
    list_select_related = ["customer", "billing_partner", "partner_of_record"]
    # TR-10/TR-11: who bills a subscription (and what it is) changes only through the services
    # (purchase, provider order, transfer), which admit only transacting partners and keep
    # add-ons with their base; staff can't edit it here, nor add subscriptions.
    readonly_fields = [
        "customer",
        "billing_partner",
        "partner_of_record",
        "product_type",
        "parent",
        "status",
        "ended_at",
        "transferred_from",
        "migrated_from",
    ]

    def has_add_permission(self, request):
        return False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["subscription"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "billing_partner", "partner_of_record", "placed_at"]
    list_select_related = ["customer", "billing_partner", "partner_of_record"]
    raw_id_fields = ["placed_by"]
    readonly_fields = ["customer", "billing_partner", "partner_of_record"]  # TR-10
    inlines = [OrderLineInline]

    def has_add_permission(self, request):
        return False


@admin.register(OrderRequest)
class OrderRequestAdmin(admin.ModelAdmin):
    list_display = ["offer_name", "quantity", "customer", "reseller", "provider", "status"]
    list_filter = ["status"]
    list_select_related = ["customer", "reseller", "provider"]
    raw_id_fields = ["customer", "reseller", "provider", "requested_by", "order"]
    readonly_fields = ["status"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "partner", "severity", "status", "created_at"]
    list_filter = ["status", "severity"]
    list_select_related = ["customer", "partner"]
    raw_id_fields = ["customer", "partner", "created_by"]
    readonly_fields = ["status", "closed_at"]


@admin.register(CustomerUser)
class CustomerUserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "customer"]
    search_fields = ["email", "display_name"]
    raw_id_fields = ["customer"]


@admin.register(McaAcceptance)
class McaAcceptanceAdmin(AuditedAdmin):
    list_display = ["customer", "method", "partner", "signatory_name", "accepted_on"]
    list_filter = ["method"]
    list_select_related = ["customer", "partner"]
    raw_id_fields = ["customer", "partner", "recorded_by"]

"""Support staff can look at customers' subscriptions, orders and requests (AC-5). States and
the rule-relevant facts (who bills what and what it is, TR-10/TR-11; seats, terms and dates;
MCA acceptances, MCA-2) change only through the services on the pages, so they are read-only
here and nothing that a service creates can be added or deleted here; the remaining edits are
audited (AuditedAdmin)."""

from django.contrib import admin

from core.audited_admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    CustomerUser,
    McaAcceptance,
    Order,
    OrderLine,
    OrderRequest,
    ServiceRequest,
    Subscription,
)


class NoAddOrDeleteAdmin(AuditedAdmin):
    """Rows that only a service creates, and that the history needs: staff edit the free-text
    fields left editable, audited, and never add or delete one here."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(NoAddOrDeleteAdmin):
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
    # TR-10/TR-11 and AC-5: who bills a subscription, what it is, its seats, term and dates
    # change only through the services (purchase, seat change, auto-renew, suspend, migrate,
    # provider order, transfer), which check the rules; only the display name is edited here.
    readonly_fields = [
        "customer",
        "billing_partner",
        "partner_of_record",
        "offer_id",
        "product_type",
        "quantity",
        "term_duration",
        "billing_cycle",
        "commitment_end_date",
        "auto_renew",
        "is_trial",
        "parent",
        "status",
        "created_at",
        "ended_at",
        "transferred_from",
        "migrated_from",
    ]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["offer_id", "offer_name", "quantity", "unit_price_usd", "subscription"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(NoAddOrDeleteAdmin):
    list_display = ["pk", "customer", "billing_partner", "partner_of_record", "placed_at"]
    list_select_related = ["customer", "billing_partner", "partner_of_record"]
    partner_field = "billing_partner"
    # An order is what was bought, by whom, when (TR-10): history, read-only.
    readonly_fields = ["customer", "billing_partner", "partner_of_record", "placed_by", "placed_at"]
    inlines = [OrderLineInline]


@admin.register(OrderRequest)
class OrderRequestAdmin(NoAddOrDeleteAdmin):
    list_display = ["offer_name", "quantity", "customer", "reseller", "provider", "status"]
    list_filter = ["status"]
    list_select_related = ["customer", "reseller", "provider"]
    partner_field = "provider"
    readonly_fields = [
        "customer",
        "reseller",
        "provider",
        "offer_id",
        "offer_name",
        "quantity",
        "status",
        "requested_by",
        "requested_at",
        "order",
        "decided_by",
        "decided_at",
        "decline_reason",
    ]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(NoAddOrDeleteAdmin):
    list_display = ["title", "customer", "partner", "severity", "status", "created_at"]
    list_filter = ["status", "severity"]
    list_select_related = ["customer", "partner"]
    readonly_fields = ["customer", "partner", "status", "created_by", "created_at", "closed_at"]


@admin.register(CustomerUser)
class CustomerUserAdmin(NoAddOrDeleteAdmin):
    """Users of a customer's tenant are added (`customer_user_create`) and licensed
    (`license_assign`, within the seats bought) on the pages."""

    list_display = ["email", "display_name", "customer"]
    search_fields = ["email", "display_name"]
    partner_field = None
    readonly_fields = ["customer", "licenses", "created_at"]


@admin.register(McaAcceptance)
class McaAcceptanceAdmin(ReadOnlyAdmin):
    """MCA-2: an acceptance is recorded by the customer (admin center) or attested by its
    direct-bill partner or provider (`mca_attest`, which refuses indirect resellers and future
    dates); staff can't add, edit or delete one here."""

    list_display = ["customer", "method", "partner", "signatory_name", "accepted_on"]
    list_filter = ["method"]
    list_select_related = ["customer", "partner"]

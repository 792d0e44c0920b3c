from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.urls import path

from . import clock
from .audited_admin import AuditedAdmin
from .forms import ClockForm
from .models import (
    AuditEvent,
    Customer,
    CustomerRelationship,
    Notification,
    OutboundEmail,
    Partner,
    SimulationClock,
    Tenant,
    User,
)

admin.site.site_header = "Partner Portal support"
admin.site.site_title = "Partner Portal support"
admin.site.index_title = "Support workspace"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "partner",
        "customer",
        "customer_role",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_active", "partner"]
    search_fields = ["email", "full_name"]
    autocomplete_fields = ["partner", "customer"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Organisation", {"fields": ["partner", "roles", "customer", "customer_role"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2", "partner", "roles"]})]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "id"]
    search_fields = ["name", "domain", "id"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "partner_id", "country", "is_indirect_provider", "is_sandbox"]
    list_filter = ["is_indirect_provider", "is_sandbox", "country"]
    search_fields = ["legal_name", "partner_id"]

    def get_readonly_fields(self, request, obj=None):
        """TR-10: a provider that bills live subscriptions stays a provider here (unticking it
        would leave them billed by a partner that may not transact)."""
        billing = (
            obj is not None
            and obj.is_indirect_provider
            and obj.billed_subscriptions.filter(status__in=["active", "suspended"]).exists()
        )
        return ["is_indirect_provider"] if billing else []


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "email", "country"]
    search_fields = ["company_name", "email", "tenant__domain"]


@admin.register(CustomerRelationship)
class CustomerRelationshipAdmin(AuditedAdmin):
    list_display = [
        "customer",
        "partner",
        "kind",
        "origin",
        "reseller",
        "established_at",
        "ended_at",
    ]
    list_filter = ["kind", "origin"]
    search_fields = ["customer__company_name", "partner__legal_name"]
    list_select_related = ["customer", "partner", "reseller"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "actor_label",
        "partner",
        "customer",
        "operation",
        "old_state",
        "new_state",
        "outcome",
    ]
    list_filter = ["outcome", "operation", "partner"]
    search_fields = ["operation", "actor_label", "detail"]
    list_select_related = ["partner", "customer"]
    date_hierarchy = "occurred_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "status"]
    list_filter = ["status"]
    search_fields = ["subject", "body"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "subject", "read_at"]


@admin.register(SimulationClock)
class SimulationClockAdmin(admin.ModelAdmin):
    """The clock control: advance by hours/days or move to a date (AC-3)."""

    change_list_template = "admin/partnerportal/clock_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("move/", self.admin_site.admin_view(self.move), name="clock_move")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "clock_form": ClockForm(), "sim_now": clock.now()}
        return super().changelist_view(request, extra_context)

    def move(self, request):
        form = ClockForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("to"):
                    new = clock.set_to(actor=request.user, when=data["to"])
                else:
                    new = clock.advance(actor=request.user, delta=data["delta"])
            except clock.ClockError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Simulation clock moved to {new:%Y-%m-%d %H:%M} UTC.")
        elif request.method == "POST":
            self.message_user(
                request, " ".join(form.non_field_errors()) or "Check the values.", messages.ERROR
            )
        return redirect("admin:partnerportal_simulationclock_changelist")

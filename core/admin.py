from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.urls import path

from . import clock, services
from .audited_admin import AuditedAdmin, ReadOnlyAdmin
from .exceptions import RuleViolation
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
class UserAdmin(AuditedAdmin, BaseUserAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        """AC-5: whose user it is (a partner's, or a customer's with its CU-7 role) is set when
        the user is added and never moved here: moving a user would hand one organisation's
        access to another."""
        return ["partner", "customer", "customer_role"] if obj is not None else []


@admin.register(Tenant)
class TenantAdmin(AuditedAdmin):
    partner_field = None
    list_display = ["name", "domain", "id"]
    search_fields = ["name", "domain", "id"]


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ["legal_name", "partner_id", "country", "is_indirect_provider", "is_sandbox"]
    list_filter = ["is_indirect_provider", "is_sandbox", "country"]
    search_fields = ["legal_name", "partner_id"]
    # AC-5: identity and program facts, never edited here: the profile date changes only when
    # the partner confirms its profile (EN-2), the revenue decides direct-bill eligibility
    # (DB-5), a sandbox stays a sandbox.
    program_fields = [
        "tenant",
        "partner_id",
        "is_sandbox",
        "profile_confirmed_on",
        "revenue_12m_usd",
    ]

    def audit_partner(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        """AC-5 and TR-10: program fields are read-only on an existing partner; a provider that
        bills live subscriptions stays a provider here (unticking it would leave them billed by
        a partner that may not transact)."""
        if obj is None:
            return []
        billing = (
            obj.is_indirect_provider
            and obj.billed_subscriptions.filter(status__in=["active", "suspended"]).exists()
        )
        return self.program_fields + (["is_indirect_provider"] if billing else [])


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    partner_field = None
    list_display = ["company_name", "email", "country"]
    search_fields = ["company_name", "email", "tenant__domain"]

    def audit_customer(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        return ["tenant"] if obj is not None else []


@admin.register(CustomerRelationship)
class CustomerRelationshipAdmin(ReadOnlyAdmin):
    """AC-5: relationships change only through the services (kind, reseller, end) and are never
    deleted: a deleted relationship would unblock closing a direct-bill enrollment (TX-1)."""

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


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    """Django's group admin, audited: groups carry admin permissions."""

    partner_field = None


@admin.register(SimulationClock)
class SimulationClockAdmin(ReadOnlyAdmin):
    """The clock control: advance by hours/days or move to a date (AC-3), never past the bound
    (AC-6); the offset itself is not editable here, only moved through `clock_advance`."""

    partner_field = None
    change_list_template = "admin/partnerportal/clock_change_list.html"

    def get_urls(self):
        return [
            path("move/", self.admin_site.admin_view(self.move), name="clock_move")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "clock_form": ClockForm(),
            "sim_now": clock.now(),
            "clock_bound": clock.bound(),
        }
        return super().changelist_view(request, extra_context)

    def move(self, request):
        form = ClockForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("to"):
                    new = services.clock_advance(actor=request.user, delta=data["to"] - clock.now())
                else:
                    new = services.clock_advance(actor=request.user, delta=data["delta"])
            except RuleViolation as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Simulation clock moved to {new:%Y-%m-%d %H:%M} UTC.")
        elif request.method == "POST":
            self.message_user(
                request,
                " ".join(str(e) for e in form.non_field_errors()) or "Check the values.",
                messages.ERROR,
            )
        return redirect("admin:partnerportal_simulationclock_changelist")


# django-axes' sign-in lockouts (its own admin, re-registered audited): staff unlock a user
# early by deleting the attempt, which is audited; the logs are read-only.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedAdmin, axes_admin.AccessAttemptAdmin):
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin, axes_admin.AccessFailureLogAdmin):
    pass

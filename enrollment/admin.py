"""Support staff's admin: restrict/reactivate direct-bill (DB-1), decide enrollments under
review (EN-4), decide direct-bill applications (DB-5/DB-6), close support requests. Every
action calls the service; an intermediate page asks for the mandatory reason."""

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse

from core.audited_admin import ServiceActionsAdmin
from core.exceptions import RuleViolation

from .forms import ReasonForm, SupportReplyForm
from .models import (
    DirectBillApplication,
    DirectBillEnrollment,
    IndirectResellerEnrollment,
    Sandbox,
    SupportMessage,
    SupportRequest,
    SupportRequestStatus,
)
from .services import application, decision, direct_bill, support, support_threads


class ServiceAdmin(ServiceActionsAdmin):
    """Status changes only through the services' actions: no add, edit or delete here (AC-5)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _run(self, request, queryset, call, done):
        """Call `call(obj)` for each selected row; report successes and each refusal."""
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

    def _with_reason(self, request, queryset, *, title, action, call, done, help_text):
        """Intermediate page: ask for the mandatory reason, then run the action on all rows."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(request, queryset, lambda obj: call(obj, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "form": form,
            "action": action,
            "help_text": help_text,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/enrollment/reason_form.html", context)


@admin.register(DirectBillEnrollment)
class DirectBillEnrollmentAdmin(ServiceAdmin):
    list_display = ["partner", "partner_id_display", "status", "status_changed_at", "status_reason"]
    list_filter = ["status", "partner__country"]
    search_fields = ["partner__legal_name", "partner__partner_id", "partner__tenant__domain"]
    list_select_related = ["partner"]
    actions = ["restrict", "reactivate", "close"]
    readonly_fields = ["partner", "status", "enrolled_at", "status_changed_at", "status_reason"]

    @admin.display(description="PartnerID", ordering="partner__partner_id")
    def partner_id_display(self, obj):
        return obj.partner.partner_id

    @admin.action(description="Restrict selected direct-bill accounts")
    def restrict(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Restrict direct-bill accounts",
            action="restrict",
            call=lambda obj, reason: direct_bill.direct_bill_restrict(
                actor=request.user, partner=obj.partner, reason=reason
            ),
            done="Restricted",
            help_text="The partner keeps managing existing direct customers but cannot "
            "purchase, create customers, send direct reseller invitations or create a sandbox.",
        )

    @admin.action(description="Reactivate selected direct-bill accounts")
    def reactivate(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Reactivate direct-bill accounts",
            action="reactivate",
            call=lambda obj, reason: direct_bill.direct_bill_reactivate(
                actor=request.user, partner=obj.partner, reason=reason
            ),
            done="Reactivated",
            help_text="The direct-bill account becomes Active again.",
        )

    @admin.action(description="Close selected direct-bill enrollments")
    def close(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Close direct-bill enrollments",
            action="close",
            call=lambda obj, reason: direct_bill.direct_bill_close(
                actor=request.user, partner=obj.partner, reason=reason
            ),
            done="Closed",
            help_text="Refused while the partner's transition is not complete.",
        )


class ReviewFilter(admin.SimpleListFilter):
    title = "decision"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for a decision")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(status__in=["submitted", "under_review"])
        return queryset


@admin.register(IndirectResellerEnrollment)
class IndirectResellerEnrollmentAdmin(ServiceAdmin):
    list_display = [
        "partner",
        "status",
        "legal_name",
        "primary_contact_email",
        "submitted_at",
        "review_deadline",
        "review_reason",
    ]
    list_filter = [ReviewFilter, "status"]
    search_fields = ["partner__legal_name", "legal_name", "primary_contact_email"]
    list_select_related = ["partner"]
    actions = ["approve", "reject"]
    readonly_fields = [f.name for f in IndirectResellerEnrollment._meta.fields]

    @admin.action(description="Approve selected enrollments")
    def approve(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda obj: decision.indirect_enrollment_approve(
                actor=request.user, enrollment_id=obj.pk
            ),
            "Approved",
        )

    @admin.action(description="Reject selected enrollments (reason required)")
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Reject indirect reseller enrollments",
            action="reject",
            call=lambda obj, reason: decision.indirect_enrollment_reject(
                actor=request.user, enrollment_id=obj.pk, reason=reason
            ),
            done="Rejected",
            help_text="The reason is emailed to the primary contact on the form.",
        )


@admin.register(DirectBillApplication)
class DirectBillApplicationAdmin(ServiceAdmin):
    list_display = [
        "partner",
        "status",
        "revenue_12m_usd",
        "single_tenant_override",
        "submitted_at",
        "indirect_access_ends_at",
    ]
    list_filter = ["status", "single_tenant_override"]
    search_fields = ["partner__legal_name"]
    list_select_related = ["partner"]
    actions = ["approve", "reject"]
    readonly_fields = [f.name for f in DirectBillApplication._meta.fields]

    @admin.action(description="Approve selected applications")
    def approve(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda obj: application.direct_bill_application_approve(
                actor=request.user, application_id=obj.pk
            ),
            "Approved",
        )

    @admin.action(description="Reject selected applications (reason required)")
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Reject direct-bill applications",
            action="reject",
            call=lambda obj, reason: application.direct_bill_application_reject(
                actor=request.user, application_id=obj.pk, reason=reason
            ),
            done="Rejected",
            help_text="The partner sees the reason on its Programs page.",
        )


class SupportMessageInline(admin.TabularInline):
    """The thread, read-only: staff write to it with the "Answer" action (a service, audited)."""

    model = SupportMessage
    extra = 0
    can_delete = False
    fields = ["created_at", "from_support", "author", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(ServiceAdmin):
    list_display = [
        "pk",
        "partner",
        "topic",
        "status",
        "created_at",
        "created_by",
        "waiting_for_support",
        "message",
    ]
    list_filter = ["status", "topic"]
    search_fields = ["partner__legal_name", "message"]
    list_select_related = ["partner", "created_by"]
    actions = ["answer", "close"]
    readonly_fields = [f.name for f in SupportRequest._meta.fields]
    inlines = [SupportMessageInline]

    def get_queryset(self, request):
        # Whether the last message is support's, for the whole list in the one query.
        last = SupportMessage.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-id")
        return (
            super()
            .get_queryset(request)
            .annotate(last_from_support=Subquery(last.values("from_support")[:1]))
        )

    @admin.display(description="Waiting for support", boolean=True)
    def waiting_for_support(self, obj):
        """Open, and the last word is the partner's (its first message or a reply)."""
        return obj.status == SupportRequestStatus.OPEN and not obj.last_from_support

    @admin.action(description="Answer the selected support request")
    def answer(self, request, queryset):
        """An intermediate page shows the thread and asks for the answer; the service adds it
        and notifies the partner."""
        if queryset.count() != 1:
            self.message_user(request, "Answer one support request at a time.", messages.ERROR)
            return None
        support_request = queryset.get()
        form = SupportReplyForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._run(
                request,
                queryset,
                lambda obj: support_threads.support_request_answer(
                    actor=request.user, request_id=obj.pk, body=form.cleaned_data["body"]
                ),
                "Answered; the partner is notified",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Answer support request #{support_request.pk}",
            "support_request": support_request,
            "thread": support_request.thread.select_related("author"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/enrollment/answer_form.html", context)

    @admin.action(description="Close selected support requests")
    def close(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            title="Close support requests",
            action="close",
            call=lambda obj, reason: support.support_request_close(
                actor=request.user, request_id=obj.pk, resolution=reason
            ),
            done="Closed",
            help_text="Say what you did; the partner sees it on its Contact support page.",
        )


@admin.register(Sandbox)
class SandboxAdmin(ServiceAdmin):
    list_display = ["name", "partner", "created_at", "deleted_at"]
    list_select_related = ["partner"]
    readonly_fields = [f.name for f in Sandbox._meta.fields]

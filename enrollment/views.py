"""Account settings pages (Partner profile, Programs, enrollment, Legal info › Program info,
Agreements, Contact support) and the placeholder Indirect providers page. Thin: each POST calls
one service and answers its refusal with `refusals.refuse` (or `refuse_in_form` on a form
page)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import keyset, refusals
from core.exceptions import RoleRequired, RuleViolation
from core.models import Role, User
from core.roles import partner_required

from . import closing, selectors
from .capabilities import direct_bill_status, is_open_direct_bill
from .forms import (
    CloseDirectBillForm,
    DirectBillApplicationForm,
    IndirectEnrollmentForm,
    ProfileForm,
    SupportReplyForm,
    SupportRequestForm,
)
from .models import IndirectStatus, SupportRequest, SupportRequestStatus
from .services import application, direct_bill, indirect, sandbox, support, support_threads
from .services import profile as profile_services

TABS = [
    ("account_profile", "Partner profile"),
    ("account_programs", "Programs"),
    ("program_info", "Legal info › Program info"),
    ("agreements", "Agreements"),
    ("contact_support", "Contact support"),
]


def account_tabs(user: User) -> list[tuple[str, str]]:
    """The Account settings tabs `user` sees: User management for a Global admin."""
    if user.has_role(Role.GLOBAL_ADMIN):
        return [*TABS, ("user_management", "User management")]
    return TABS


def _page(request, template, tab, context, crumb=None, status=200):
    crumbs = [("Account settings", reverse("account_settings"))]
    label = dict(TABS).get(tab, "")
    crumbs.append((label, reverse(tab) if crumb else ""))
    if crumb:
        crumbs.append((crumb, ""))
    tabs = account_tabs(request.user)
    context = {"tabs": tabs, "tab": tab, "crumbs": crumbs, "partner": request.partner, **context}
    return render(request, template, context, status=status)


@partner_required()
def account_settings(request):
    return redirect("account_profile")


@partner_required()
def profile(request):
    """Partner profile: view, edit (Global admin), confirm it is current (EN-2)."""
    partner = request.partner
    is_global = request.user.has_role(Role.GLOBAL_ADMIN)
    initial = {
        "legal_name": partner.legal_name,
        "partner_id": partner.partner_id,
        "country": partner.country,
        "primary_contact_email": partner.primary_contact_email,
    }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                profile_services.partner_profile_update(
                    actor=request.user, partner=partner, **form.cleaned_data
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
            else:
                messages.success(request, "Your partner profile is saved.")
                return redirect("account_profile")
        else:
            status = 400
    return _page(
        request,
        "enrollment/profile.html",
        "account_profile",
        {
            "form": form,
            "is_global": is_global,
            "problems": selectors.profile_problems(partner=partner),
        },
        status=status,
    )


@partner_required()
@require_POST
def profile_confirm(request):
    try:
        profile_services.partner_profile_confirm(actor=request.user, partner=request.partner)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="account_profile")
    messages.success(request, "Thanks: your profile is confirmed as current.")
    return redirect("account_profile")


@partner_required()
def programs(request):
    """Programs: each program with its status and next step; "Get started" (EN-1)."""
    partner = request.partner
    current = selectors.current_sandbox(partner=partner)
    status = direct_bill_status(partner)
    return _page(
        request,
        "enrollment/programs.html",
        "account_programs",
        {
            "programs": selectors.programs_for(partner=partner, user=request.user),
            "direct_status": status,
            "is_global": request.user.has_role(Role.GLOBAL_ADMIN),
            "sandbox": current,
            "sandbox_refusal": None if current else selectors.sandbox_refusal(partner=partner),
            "can_create_sandbox": request.user.has_role(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
            "close_form": CloseDirectBillForm(),
            "closing_blockers": closing.blocking_reasons(partner)
            if is_open_direct_bill(status)
            else [],
        },
    )


@partner_required(Role.GLOBAL_ADMIN)
def indirect_enroll(request):
    """The enrollment form: review the partner details, give the primary contact email,
    "Enroll now" (EN-1, EN-2, EN-3, DB-3, DB-4)."""
    partner = request.partner
    existing = selectors.open_indirect_enrollment(partner=partner)
    if existing is not None and request.method == "GET":
        messages.info(
            request,
            f"Your indirect reseller enrollment is already {existing.get_status_display()}.",
        )
        return redirect("account_programs")
    form = IndirectEnrollmentForm(
        request.POST if request.method == "POST" else None,
        initial={
            "legal_name": partner.legal_name,
            "primary_contact_email": partner.primary_contact_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = indirect.indirect_enrollment_submit(
                actor=request.user, partner=partner, **form.cleaned_data
            )
        except RuleViolation as error:
            listed = selectors.indirect_enrollment_refusals(partner=partner)
            if str(error) not in {str(refusal) for refusal in listed}:  # said once
                refusals.refuse_in_form(form, error)
        else:
            enrollment.refresh_from_db()
            if not enrollment.created:
                messages.info(
                    request,
                    "You already enrolled: this is the same request "
                    f"({enrollment.get_status_display()}).",
                )
            elif enrollment.status == IndirectStatus.APPROVED:
                messages.success(
                    request,
                    "Your enrollment is approved. Accept the indirect reseller agreement "
                    "to turn indirect reseller capabilities on.",
                )
                return redirect("agreements")
            else:
                messages.success(
                    request,
                    "Your enrollment request is saved and queued for a decision. Most requests "
                    "are decided within minutes, all within 5 business days; the outcome is "
                    f"emailed to {enrollment.primary_contact_email}.",
                )
            return redirect("account_programs")
    return _page(
        request,
        "enrollment/enroll.html",
        "account_programs",
        {"form": form, "blockers": selectors.indirect_enrollment_refusals(partner=partner)},
        crumb="Indirect reseller enrollment",
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@partner_required(Role.GLOBAL_ADMIN)
def direct_bill_apply(request):
    """DB-5/DB-6: apply for direct-bill; warns an indirect reseller about the override."""
    partner = request.partner
    form = DirectBillApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application.direct_bill_application_submit(
                actor=request.user,
                partner=partner,
                single_tenant_override=form.cleaned_data["single_tenant_override"],
            )
        except RuleViolation as error:
            refusals.refuse_in_form(form, error)
        else:
            messages.success(request, "Your direct-bill application is submitted to support.")
            return redirect("account_programs")
    return _page(
        request,
        "enrollment/direct_bill_apply.html",
        "account_programs",
        {
            "form": form,
            "indirect": selectors.open_indirect_enrollment(partner=partner),
            "blockers": selectors.direct_bill_application_blockers(
                partner=partner, override_confirmed=True
            ),
            "pending": selectors.submitted_application(partner=partner),
        },
        crumb="Apply for direct-bill",
    )


@partner_required(Role.GLOBAL_ADMIN)
@require_POST
def direct_bill_close(request):
    """TX-1: a Global admin closes the direct-bill enrollment (refused while blocked)."""
    form = CloseDirectBillForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        direct_bill.direct_bill_close(actor=request.user, partner=request.partner, reason=reason)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="account_programs")
    messages.success(request, "Your direct-bill enrollment is closed.")
    return redirect("account_programs")


@partner_required(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
@require_POST
def sandbox_create(request):
    """DB-2: create the integration sandbox (refused while direct-bill is restricted)."""
    try:
        created = sandbox.sandbox_create(actor=request.user, partner=request.partner)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="account_programs")
    messages.success(request, f"Created “{created.name}”.")
    return redirect("account_programs")


@partner_required()
def program_info(request):
    """Legal info › Program info (EN-6): every program with status and dates."""
    return _page(
        request,
        "enrollment/program_info.html",
        "program_info",
        {"programs": selectors.programs_for(partner=request.partner, user=request.user)},
    )


@partner_required()
def agreements(request):
    """Agreements (EN-7): the indirect reseller agreement appears after approval."""
    partner = request.partner
    enrollment = selectors.latest_indirect(partner=partner)
    shown = (
        enrollment
        if enrollment and enrollment.status in (IndirectStatus.APPROVED, IndirectStatus.ACTIVE)
        else None
    )
    return _page(
        request,
        "enrollment/agreements.html",
        "agreements",
        {
            "enrollment": shown,
            "is_global": request.user.has_role(Role.GLOBAL_ADMIN),
            "direct_status": direct_bill_status(partner),
        },
    )


@partner_required()
@require_POST
def agreement_accept(request):
    try:
        indirect.indirect_enrollment_accept_agreement(actor=request.user, partner=request.partner)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="agreements")
    messages.success(
        request,
        "You accepted the indirect reseller agreement. Indirect reseller capabilities are "
        "on: find your providers under Indirect providers.",
    )
    return redirect("agreements")


@partner_required()
def contact_support(request):
    """Contact support (DB-1): partners ask support, e.g. to restrict direct-bill."""
    partner = request.partner
    initial = {}
    if request.GET.get("topic") == "restrict_direct_bill":
        initial = {
            "topic": "restrict_direct_bill",
            "message": "Please restrict our direct-bill account: we are moving to the indirect "
            "reseller model.",
        }
    form = SupportRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                request_row = support.support_request_create(
                    actor=request.user, partner=partner, **form.cleaned_data
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
            else:
                messages.success(
                    request,
                    f"Support request #{request_row.pk} is sent. Support will act on it and "
                    "close it; you'll see the result here and in your notifications.",
                )
                return redirect("contact_support")
        else:
            status = 400
    requests_page = keyset.paginate(
        request,
        SupportRequest.objects.filter(partner=partner).select_related("created_by"),
        size=20,
        salt="support_requests",
    )
    return _page(
        request,
        "enrollment/contact_support.html",
        "contact_support",
        {"form": form, "page": requests_page},
        status=status,
    )


@partner_required()
def support_request_detail(request, pk):
    """One support request as a thread: the first message, the replies and support's answers,
    the resolution once closed; a Global admin or Admin agent replies while it is open."""
    can_reply = request.user.has_role(*support_threads.REPLY_ROLES)
    posting = request.method == "POST"
    if posting and not can_reply:
        raise PermissionDenied(str(RoleRequired(support_threads.REPLY_ROLES)))
    support_request = get_object_or_404(
        SupportRequest.objects.select_related("created_by"), pk=pk, partner=request.partner
    )
    form = SupportReplyForm(request.POST if posting else None)
    status = 200
    if posting:
        if form.is_valid():
            try:
                support_threads.support_request_reply(
                    actor=request.user,
                    request_id=support_request.pk,
                    body=form.cleaned_data["body"],
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = error.http_status if error.http_status in (400, 409) else 200
            else:
                messages.success(request, "Your message is sent to support.")
                return redirect("support_request_detail", pk=support_request.pk)
        else:
            status = 400
    return _page(
        request,
        "enrollment/support_request.html",
        "contact_support",
        {
            "support_request": support_request,
            "thread": support_request.thread.select_related("author"),
            "form": form,
            "can_reply": can_reply and support_request.status == SupportRequestStatus.OPEN,
        },
        crumb=f"Request #{support_request.pk}",
        status=status,
    )

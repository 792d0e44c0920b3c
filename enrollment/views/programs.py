"""Programs (EN-1, EN-6): each program with its status and next step; indirect reseller
enrollment, the direct-bill application, closing direct-bill, the sandbox; Program info."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core import refusals
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import partner_required

from .. import closing, selectors
from ..capabilities import direct_bill_status, is_open_direct_bill
from ..forms import CloseDirectBillForm, DirectBillApplicationForm, IndirectEnrollmentForm
from ..models import IndirectStatus
from ..services import application, direct_bill, indirect, sandbox
from .account import account_page


@partner_required()
def programs(request):
    """Programs: each program with its status and next step; "Get started" (EN-1)."""
    partner = request.partner
    current = selectors.current_sandbox(partner=partner)
    status = direct_bill_status(partner=partner)
    return account_page(
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
            if is_open_direct_bill(status=status)
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
    return account_page(
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
    return account_page(
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
    return account_page(
        request,
        "enrollment/program_info.html",
        "program_info",
        {"programs": selectors.programs_for(partner=request.partner, user=request.user)},
    )

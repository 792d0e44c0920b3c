"""Account settings: its tabs (User management for a Global admin) and the Partner profile
(EN-2)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import refusals
from core.exceptions import RuleViolation
from core.models import Role, User
from core.roles import partner_required

from .. import selectors
from ..forms import ProfileForm
from ..services import profile as profile_services

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


def account_page(request, template, tab, context, crumb=None, status=200):
    """Render `template` as the Account settings tab `tab` (tabs and breadcrumbs)."""
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
    return account_page(
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

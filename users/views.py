"""Account settings › User management (Global admins) and the invitee's first sign-in. Thin:
each POST calls one service and answers its refusal with `refusals.refuse` (or
`refuse_in_form` on a form page). A broken first sign-in link has its own page (AC-7)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import keyset, refusals
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import partner_required
from enrollment.views.account import account_tabs

from . import selectors, services, tokens
from .exceptions import InvitationLinkProblem
from .forms import ROLE_HELP, InviteUserForm, SetPasswordForm, UserRolesForm

TAB = "user_management"


def _page(request, template, context, crumb="", status=200):
    crumbs = [("Account settings", reverse("account_settings"))]
    crumbs.append(("User management", reverse(TAB) if crumb else ""))
    if crumb:
        crumbs.append((crumb, ""))
    context = {
        "tabs": account_tabs(request.user),
        "tab": TAB,
        "crumbs": crumbs,
        "role_help": [(Role(r).label, text) for r, text in ROLE_HELP.items()],
        **context,
    }
    return render(request, template, context, status=status)


@partner_required(Role.GLOBAL_ADMIN)
def user_management(request):
    """The partner's users with their roles and status."""
    users = selectors.partner_users(partner=request.partner)
    page = keyset.paginate(request, users, size=50, salt="users")
    rows = [{"user": u, "status": selectors.status_of(u)} for u in page]
    return _page(
        request,
        "users/list.html",
        {"page": page, "rows": rows, "labels": selectors.STATUS_LABELS},
    )


@partner_required(Role.GLOBAL_ADMIN)
def user_invite(request):
    """Add user: name, email, roles; the user gets an email with a one-time link."""
    form = InviteUserForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.partner_user_invite(
                    actor=request.user,
                    email=data["email"],
                    full_name=data["full_name"],
                    roles=data["roles"],
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = error.http_status if error.http_status < 500 else 400
            else:
                messages.success(
                    request,
                    f"{user.email} is invited. We emailed them a link to set a password; it "
                    f"works once and expires in {tokens.invitation_days()} days.",
                )
                return redirect(TAB)
        else:
            status = 400
    context = {"form": form, "days": tokens.invitation_days()}
    return _page(request, "users/invite.html", context, crumb="Add user", status=status)


@partner_required(Role.GLOBAL_ADMIN)
def user_detail(request, pk):
    """One user: its roles (assign and remove at once), status, and the actions."""
    user = selectors.partner_user(partner=request.partner, pk=pk)
    form = UserRolesForm(
        request.POST if request.method == "POST" else None, initial={"roles": user.roles}
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                services.partner_user_change_roles(
                    actor=request.user, user=user, roles=form.cleaned_data["roles"]
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = error.http_status if error.http_status < 500 else 400
            else:
                messages.success(request, f"The roles of {user.email} are saved.")
                return redirect("user_detail", pk=user.pk)
        else:
            status = 400
    context = {
        "subject": user,
        "status": selectors.status_of(user),
        "labels": selectors.STATUS_LABELS,
        "form": form,
        "is_self": user.pk == request.user.pk,
    }
    return _page(request, "users/detail.html", context, crumb=user.get_full_name(), status=status)


def _action(request, pk, service, done: str):
    user = selectors.partner_user(partner=request.partner, pk=pk)
    back = reverse("user_detail", args=[user.pk])
    try:
        service(actor=request.user, user=user)
    except RuleViolation as error:
        return refusals.refuse(request, error, back=back)
    messages.success(request, done.format(email=user.email))
    return redirect(back)


@partner_required(Role.GLOBAL_ADMIN)
@require_POST
def user_deactivate(request, pk):
    return _action(
        request,
        pk,
        services.partner_user_deactivate,
        "{email} is deactivated: they can't sign in or use the API until reactivated.",
    )


@partner_required(Role.GLOBAL_ADMIN)
@require_POST
def user_reactivate(request, pk):
    return _action(request, pk, services.partner_user_reactivate, "{email} is active again.")


@partner_required(Role.GLOBAL_ADMIN)
@require_POST
def user_resend_invitation(request, pk):
    return _action(
        request,
        pk,
        services.partner_user_resend_invitation,
        "We emailed {email} a new link; the earlier one no longer works.",
    )


def _link_problem(request, error: InvitationLinkProblem):
    return render(
        request,
        "users/link_problem.html",
        {"title": error.title, "error": str(error)},
        status=error.http_status,
    )


def user_welcome(request, uidb64, token):
    """The invitee's first sign-in (the emailed link): set a password, then sign in. A
    changed, used, replaced or expired link, or a deactivated user, gets a clear page and
    nothing changes (AC-7)."""
    invitee = tokens.user_from_uid(uidb64)
    try:
        tokens.check(invitee, token)
    except InvitationLinkProblem as error:
        return _link_problem(request, error)
    form = SetPasswordForm(request.POST if request.method == "POST" else None, user=invitee)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                services.partner_user_activate(
                    actor=invitee, token=token, password=form.cleaned_data["new_password1"]
                )
            except InvitationLinkProblem as error:
                return _link_problem(request, error)
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = 400
            else:
                messages.success(request, "Your password is set. Sign in with your email.")
                return redirect("login")
        else:
            status = 400
    return render(
        request,
        "users/welcome.html",
        {"form": form, "invitee": invitee},
        status=status,
    )

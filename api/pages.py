"""App management: a partner user's API tokens (create — shown once —, list, revoke)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import refusals, shown_once
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import partner_required
from enrollment.capabilities import has_open_direct_bill

from . import services
from .forms import TokenForm
from .models import ApiToken


def _tokens_for(request):
    user = request.user
    tokens = ApiToken.objects.select_related("user")
    if user.has_role(Role.GLOBAL_ADMIN):
        return tokens.filter(user__partner=request.partner)
    return tokens.filter(user=user)


@partner_required()
def token_list(request):
    partner = request.partner
    new_token = shown_once.take(request, "api_token") if request.method == "GET" else None
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, new_token = services.api_token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
            else:
                messages.success(
                    request, f"Token “{token.name}” created. Copy it now: it is shown only once."
                )
                shown_once.keep(request, "api_token", new_token)  # PRG: a reload makes none
                return redirect("api_tokens")
        else:
            status = 400
    context = {
        "form": form,
        "tokens": _tokens_for(request),
        "new_token": new_token,
        "api_allowed": partner.is_indirect_provider or has_open_direct_bill(partner=partner),
        "is_global_admin": request.user.has_role(Role.GLOBAL_ADMIN),
    }
    response = render(request, "api/tokens.html", context, status=status)
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@partner_required()
@require_POST
def token_revoke(request, pk):
    token = _tokens_for(request).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    if not confirmed(request, "revoke the token"):
        return redirect("api_tokens")
    try:
        services.api_token_revoke(actor=request.user, token=token)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="api_tokens")
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("api_tokens")

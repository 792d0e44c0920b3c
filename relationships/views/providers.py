"""The indirect provider's pages (PV-2): its resellers and the invitations it sent."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import keyset, refusals
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.roles import provider_required

from .. import links, selectors
from ..forms import PartnershipInviteForm
from ..models import PartnershipStatus, ProviderPartnership
from ..services import partnerships
from .common import crumbs


@provider_required()
def provider_resellers(request):
    """PV-2: the provider's resellers and the invitations it sent, with their state."""
    provider = request.partner
    rows = selectors.partnerships_of_provider(provider=provider)
    status = request.GET.get("status", "")
    if status in PartnershipStatus.values:
        rows = rows.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(reseller__legal_name__icontains=q) | Q(reseller__partner_id=q))
    page = keyset.paginate(request, rows, size=25, salt="provider_resellers")
    counts = selectors.partnerships_of_provider(provider=provider).aggregate(
        resellers=Count("id", filter=Q(status=PartnershipStatus.ACCEPTED)),
        pending=Count("id", filter=Q(status=PartnershipStatus.INVITED)),
    )
    for p in page:
        p.link_path = (
            links.path_for(links.PARTNERSHIP, p.pk) if p.status == PartnershipStatus.INVITED else ""
        )
    return render(
        request,
        "relationships/provider_resellers.html",
        {
            "page": page,
            "counts": counts,
            "statuses": PartnershipStatus.choices,
            "status": status,
            "q": q,
            "crumbs": crumbs(("Resellers", "")),
        },
    )


@provider_required()
def partnership_invite(request):
    form = PartnershipInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = partnerships.partnership_invite(
                actor=request.user,
                partner_id=form.cleaned_data["partner_id"],
                email=form.cleaned_data["email"],
            )
        except RuleViolation as error:
            refusals.refuse_in_form(form, error)
            return render(request, "relationships/partnership_invite.html", _invite_ctx(form))
        messages.success(
            request,
            f"Invitation sent to {partnership.reseller} ({partnership.invited_email}). The link "
            f"expires on {partnership.expires_at:%d %b %Y}.",
        )
        return redirect("provider_resellers")
    return render(request, "relationships/partnership_invite.html", _invite_ctx(form))


def _invite_ctx(form):
    return {
        "form": form,
        "days": selectors.link_days(),
        "crumbs": crumbs(("Resellers", reverse("provider_resellers")), ("Invite a reseller", "")),
    }


@provider_required()
@require_POST
def partnership_revoke(request, pk):
    partnership = get_object_or_404(ProviderPartnership, pk=pk, provider=request.partner)
    if not confirmed(request, "revoke the partnership"):
        return redirect("provider_resellers")
    try:
        partnerships.partnership_revoke(actor=request.user, partnership=partnership)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="provider_resellers")
    messages.success(request, f"The invitation to {partnership.reseller} was revoked.")
    return redirect("provider_resellers")

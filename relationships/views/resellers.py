"""The indirect reseller's pages (EN-8, PV-1..PV-3): its providers, the provider directory, and
the provider's invitation link it accepts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from core import clock, keyset, refusals
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import partner_required
from enrollment import capabilities

from .. import links, selectors
from ..exceptions import LinkProblem
from ..forms import DirectorySearchForm
from ..models import PartnershipStatus
from ..services import partnerships
from .common import crumbs, link_problem


@partner_required()
def indirect_providers(request):
    """EN-8/PV-2: the reseller's providers with the relationship state, and what it can do."""
    reseller = request.partner
    if not capabilities.is_indirect_reseller(partner=reseller):
        # EN-8: the workspace opens once the indirect reseller agreement is accepted.
        messages.error(
            request,
            "Indirect providers is available once you are an indirect reseller: enroll and "
            "accept the indirect reseller agreement.",
        )
        return redirect("account_programs")
    rows = list(selectors.partnerships_of_reseller(reseller=reseller))
    for p in rows:
        p.link_path = (
            links.path_for(links.PARTNERSHIP, p.pk)
            if p.status == PartnershipStatus.INVITED and p.expires_at > clock.now()
            else ""
        )
        p.services = selectors.services_labels(codes=p.provider.services_offered)
    pending_invitations = selectors.open_indirect_invitations_count(reseller=reseller)
    return render(
        request,
        "relationships/indirect_providers.html",
        {
            "rows": rows,
            "has_accepted": any(p.status == PartnershipStatus.ACCEPTED for p in rows),
            "pending_invitations": pending_invitations,
            "crumbs": crumbs(("Indirect providers", "")),
        },
    )


@partner_required()
def provider_directory(request):
    """PV-1: search indirect providers by name, country/region and services."""
    form = DirectorySearchForm(request.GET or None, countries=selectors.directory_countries())
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    providers = selectors.directory(
        q=data.get("q", ""), country=data.get("country", ""), service=data.get("service", "")
    )
    page = keyset.paginate(request, providers, size=25, salt="provider_directory")
    states = dict(
        selectors.partnerships_of_reseller(reseller=request.partner)
        .filter(provider__in=[p.pk for p in page])
        .order_by("provider_id", "invited_at")
        .values_list("provider_id", "status")
    )
    for p in page:
        p.services = selectors.services_labels(codes=p.services_offered)
        p.state = states.get(p.pk, "")
        p.state_label = PartnershipStatus(p.state).label if p.state else "No relationship"
    return render(
        request,
        "relationships/directory.html",
        {
            "form": form,
            "page": page,
            "crumbs": crumbs(
                ("Indirect providers", reverse("indirect_providers")), ("Find a provider", "")
            ),
        },
    )


@login_required
def partnership_link(request, token):
    """PV-2/PV-3: the reseller's Global admin opens the personal link and accepts."""
    if request.method == "POST":
        # The service checks the link itself, so a refused attempt is audited (AC-4).
        try:
            partnership = partnerships.partnership_accept(actor=request.user, token=token)
        except LinkProblem as error:
            return link_problem(request, error)
        except RuleViolation as error:
            return refusals.refuse(request, error, back=request.path)
        messages.success(
            request,
            f"You accepted {partnership.provider}'s invitation: it now appears on your "
            "Indirect providers page, and you in its resellers.",
        )
        return redirect("indirect_providers")
    try:
        partnership = partnerships.open_partnership_link(actor=request.user, token=token)
    except LinkProblem as error:
        return link_problem(request, error)
    return render(
        request, "relationships/partnership_link.html", _partnership_link_ctx(request, partnership)
    )


def _partnership_link_ctx(request, partnership):
    partner = request.user.partner
    return {
        "partnership": partnership,
        "services": selectors.services_labels(codes=partnership.provider.services_offered),
        "is_global_admin": request.user.has_role(Role.GLOBAL_ADMIN),
        "is_indirect_reseller": capabilities.is_indirect_reseller(partner=partner),
    }

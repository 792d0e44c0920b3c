"""Pages for providers (resellers, invitations), resellers (indirect providers, directory,
customer invitations), customer admins (invitation links, Partner relationships, GDAP) and
partners' GDAP requests. Thin: each calls a service and shows its refusal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock, keyset, refusals
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.models import CustomerRelationship
from core.roles import (
    customer_admin_required,
    customer_decision_refusal,
    customer_for,
    partner_required,
    provider_required,
)
from core.validators import parse_id
from enrollment import capabilities

from . import gdap as gdap_queries
from . import links
from .exceptions import LinkProblem
from .forms import (
    DirectorySearchForm,
    GdapRequestForm,
    InvitationCreateForm,
    InvitationDraftForm,
    PartnershipInviteForm,
    gdap_customers,
)
from .models import (
    CustomerInvitation,
    GdapRelationship,
    GdapStatus,
    InvitationKind,
    InvitationStatus,
    PartnershipStatus,
    ProviderPartnership,
)
from .services import gdap as gdap_services
from .services import invitations, partnerships


def _crumbs(*pairs):
    return list(pairs)


def _link_problem(request, error: LinkProblem):
    return render(
        request,
        "relationships/link_problem.html",
        {"error": error, "title": error.title},
        status=error.http_status,
    )


def _int_or_404(value):
    number = parse_id(value)
    if number is None:
        raise Http404("Not found.")
    return number


# --- provider -------------------------------------------------------------------------------


@provider_required()
def provider_resellers(request):
    """PV-2: the provider's resellers and the invitations it sent, with their state."""
    provider = request.partner
    rows = partnerships.partnerships_of_provider(provider)
    status = request.GET.get("status", "")
    if status in PartnershipStatus.values:
        rows = rows.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(reseller__legal_name__icontains=q) | Q(reseller__partner_id=q))
    page = keyset.paginate(request, rows, size=25, salt="provider_resellers")
    counts = partnerships.partnerships_of_provider(provider).aggregate(
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
            "crumbs": _crumbs(("Resellers", "")),
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
            refusals.add_to_form(form, error)
            status = 403 if error.http_status == 403 else 200
            return render(
                request, "relationships/partnership_invite.html", _invite_ctx(form), status=status
            )
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
        "days": partnerships.link_days(),
        "crumbs": _crumbs(("Resellers", reverse("provider_resellers")), ("Invite a reseller", "")),
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
        refusals.show(request, error)
    else:
        messages.success(request, f"The invitation to {partnership.reseller} was revoked.")
    return redirect("provider_resellers")


# --- reseller -------------------------------------------------------------------------------


@partner_required()
def indirect_providers(request):
    """EN-8/PV-2: the reseller's providers with the relationship state, and what it can do."""
    reseller = request.partner
    if not capabilities.is_indirect_reseller(reseller):
        # EN-8: the workspace opens once the indirect reseller agreement is accepted.
        messages.error(
            request,
            "Indirect providers is available once you are an indirect reseller: enroll and "
            "accept the indirect reseller agreement.",
        )
        return redirect("account_programs")
    rows = list(partnerships.partnerships_of_reseller(reseller))
    for p in rows:
        p.link_path = (
            links.path_for(links.PARTNERSHIP, p.pk)
            if p.status == PartnershipStatus.INVITED and p.expires_at > clock.now()
            else ""
        )
        p.services = partnerships.services_labels(p.provider.services_offered)
    pending_invitations = CustomerInvitation.objects.filter(
        partner=reseller,
        kind=InvitationKind.INDIRECT,
        status__in=[InvitationStatus.DRAFT, InvitationStatus.PENDING],
    ).count()
    return render(
        request,
        "relationships/indirect_providers.html",
        {
            "rows": rows,
            "has_accepted": any(p.status == PartnershipStatus.ACCEPTED for p in rows),
            "pending_invitations": pending_invitations,
            "crumbs": _crumbs(("Indirect providers", "")),
        },
    )


@partner_required()
def provider_directory(request):
    """PV-1: search indirect providers by name, country/region and services."""
    form = DirectorySearchForm(request.GET or None, countries=partnerships.directory_countries())
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    providers = partnerships.directory(
        q=data.get("q", ""), country=data.get("country", ""), service=data.get("service", "")
    )
    page = keyset.paginate(request, providers, size=25, salt="provider_directory")
    states = dict(
        partnerships.partnerships_of_reseller(request.partner)
        .filter(provider__in=[p.pk for p in page])
        .order_by("provider_id", "invited_at")
        .values_list("provider_id", "status")
    )
    for p in page:
        p.services = partnerships.services_labels(p.services_offered)
        p.state = states.get(p.pk, "")
        p.state_label = PartnershipStatus(p.state).label if p.state else "No relationship"
    return render(
        request,
        "relationships/directory.html",
        {
            "form": form,
            "page": page,
            "crumbs": _crumbs(
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
            return _link_problem(request, error)
        except RuleViolation as error:
            partnership = partnerships.open_partnership_link(actor=request.user, token=token)
            refusals.show(request, error)
            return render(
                request,
                "relationships/partnership_link.html",
                _partnership_link_ctx(request, partnership),
                status=error.http_status if error.http_status in (403, 409) else 400,
            )
        messages.success(
            request,
            f"You accepted {partnership.provider}'s invitation: it now appears on your "
            "Indirect providers page, and you in its resellers.",
        )
        return redirect("indirect_providers")
    try:
        partnership = partnerships.open_partnership_link(actor=request.user, token=token)
    except LinkProblem as error:
        return _link_problem(request, error)
    return render(
        request, "relationships/partnership_link.html", _partnership_link_ctx(request, partnership)
    )


def _partnership_link_ctx(request, partnership):
    partner = request.user.partner
    return {
        "partnership": partnership,
        "services": partnerships.services_labels(partnership.provider.services_offered),
        "is_global_admin": request.user.has_role("global_admin"),
        "is_indirect_reseller": capabilities.is_indirect_reseller(partner),
    }


# --- customer invitations (reseller / direct-bill partner) -----------------------------------


@partner_required()
def customer_invitations(request):
    """CU-2/MV-7: track the invitations sent to customers."""
    rows = invitations.invitations_of(request.partner)
    status = request.GET.get("status", "")
    if status in InvitationStatus.values:
        rows = rows.filter(status=status)
    page = keyset.paginate(request, rows, size=25, salt="customer_invitations")
    return render(
        request,
        "relationships/customer_invitations.html",
        {
            "page": page,
            "statuses": InvitationStatus.choices,
            "status": status,
            "can_invite_indirect": capabilities.is_indirect_reseller(request.partner),
            "can_invite_direct": capabilities.has_open_direct_bill(request.partner),
            "crumbs": _crumbs(("Customer invitations", "")),
        },
    )


@partner_required("global_admin", "admin_agent")
def customer_invitation_new(request):
    """CU-2 (pick a provider; MV-8 with ?customer=) or MV-7 (?kind=direct, the Customers
    list's "New relationship", optionally naming an existing customer's domain): create the
    draft."""
    partner = request.partner
    kind = request.GET.get("kind") or request.POST.get("kind") or InvitationKind.INDIRECT
    if kind not in InvitationKind.values:
        raise Http404("Unknown kind of invitation.")
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    customer = customer_for(partner, customer_id) if customer_id else None
    providers = partnerships.accepted_providers(partner)
    form = InvitationCreateForm(request.POST or None, providers=providers)
    if kind == InvitationKind.DIRECT:
        form.fields["provider"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                actor=request.user,
                kind=kind,
                provider=form.cleaned_data.get("provider"),
                customer=customer,
                domain=form.cleaned_data.get("domain", ""),
            )
        except RuleViolation as error:
            refusals.show(request, error)
        else:
            messages.success(request, "Your draft invitation is ready: review the email below.")
            return redirect("customer_invitation_draft", pk=invitation.pk)
    title = "Invite new customers" if kind == InvitationKind.INDIRECT else "New relationship"
    return render(
        request,
        "relationships/invitation_new.html",
        {
            "form": form,
            "kind": kind,
            "customer": customer,
            "title": title,
            "is_indirect_reseller": capabilities.is_indirect_reseller(partner),
            "crumbs": _crumbs(
                ("Customer invitations", reverse("customer_invitations")), (title, "")
            ),
        },
    )


@partner_required()
def customer_invitation_draft(request, pk):
    """CU-2: edit the draft email (the link must stay), copy or send it, Done."""
    invitation = get_object_or_404(
        CustomerInvitation.objects.select_related("provider", "customer"),
        pk=_int_or_404(pk),
        partner=request.partner,
    )
    form = InvitationDraftForm(request.POST or None, initial={"message": invitation.message})
    status = 200
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        message = form.cleaned_data["message"]
        try:
            if action == "send":
                invitations.invitation_send(
                    actor=request.user,
                    invitation=invitation,
                    to=form.cleaned_data["send_to"],
                    message=message,
                )
                messages.success(
                    request, f"The invitation email was sent to {form.cleaned_data['send_to']}."
                )
                return redirect("customer_invitation_draft", pk=invitation.pk)
            if action == "done":
                invitations.invitation_done(
                    actor=request.user, invitation=invitation, message=message
                )
                messages.success(
                    request, "Done. The invitation is pending until the customer answers it."
                )
                return redirect("customer_invitations")
            invitations.invitation_update_message(
                actor=request.user, invitation=invitation, message=message
            )
            messages.success(request, "The email text was saved.")
            return redirect("customer_invitation_draft", pk=invitation.pk)
        except RuleViolation as error:
            refusals.add_to_form(form, error)
            status = 403 if error.http_status == 403 else 200
    elif request.method == "POST":
        status = 200
    return render(
        request,
        "relationships/invitation_draft.html",
        {
            "invitation": invitation,
            "form": form,
            "link": invitations.link_url(invitation),
            "crumbs": _crumbs(
                ("Customer invitations", reverse("customer_invitations")),
                (f"Invitation #{invitation.pk}", ""),
            ),
        },
        status=status,
    )


@partner_required("global_admin", "admin_agent")
@require_POST
def customer_invitation_cancel(request, pk):
    invitation = get_object_or_404(CustomerInvitation, pk=pk, partner=request.partner)
    if not confirmed(request, "cancel the invitation"):
        return redirect("customer_invitations")
    try:
        invitations.invitation_cancel(actor=request.user, invitation=invitation)
    except RuleViolation as error:
        refusals.show(request, error)
    else:
        messages.success(request, "The invitation was cancelled; its link no longer works.")
    return redirect("customer_invitations")


# --- customer admin -------------------------------------------------------------------------


@login_required
def customer_invitation_link(request, token):
    """CU-2/MV-7/PV-3: the customer's admin opens the link, sees who asks for what, answers."""
    if request.method == "POST":
        action = request.POST.get("action")
        service = {
            "accept": invitations.invitation_accept,
            "decline": invitations.invitation_decline,
        }.get(action)
        if service is None:
            return _link_problem(request, LinkProblem("Choose Accept or Decline."))
        # The service checks the link itself, so a refused attempt is audited (AC-4).
        try:
            invitation = service(actor=request.user, token=token)
        except LinkProblem as error:
            return _link_problem(request, error)
        except RuleViolation as error:
            refusals.show(request, error)
            return _customer_link_page(request, token, status=409)
        if action == "accept":
            messages.success(
                request,
                f"You accepted {invitation.partner}'s invitation. Your partners are listed below.",
            )
        else:
            messages.info(request, f"You declined {invitation.partner}'s invitation.")
        return redirect("partner_relationships")
    return _customer_link_page(request, token)


def _customer_link_page(request, token, status=200):
    try:
        invitation = invitations.open_customer_link(actor=request.user, token=token)
    except LinkProblem as error:
        return _link_problem(request, error)
    return render(
        request,
        "relationships/customer_invitation_link.html",
        {
            "invitation": invitation,
            "summary": invitations.what_accepting_does(invitation, request.user.customer),
            "decision_refusal": customer_decision_refusal(
                request.user, "accept or decline an invitation"
            ),
        },
        status=status,
    )


@customer_admin_required
def partner_relationships(request):
    """MV-6/CU-1/CU-6: every CSP partner of the customer, its roles and admin permissions."""
    customer = request.customer
    relationships = gdap_queries.annotate_admin_permissions(
        CustomerRelationship.objects.active()
        .filter(customer=customer)
        .select_related("partner", "reseller")
    )
    active = (
        GdapRelationship.objects.filter(
            customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
        )
        .order_by("ends_at")
        .only("partner_id", "roles", "ends_at", "name")
    )
    by_partner = {}
    for g in active:
        by_partner.setdefault(g.partner_id, []).append(g)
    rows = []
    for r in relationships:
        roles = [r.get_kind_display()]
        if r.reseller_id:
            roles = [f"Indirect provider for {r.reseller.legal_name}"]
        rows.append(
            {
                "relationship": r,
                "roles": roles,
                "gdap": by_partner.get(r.partner_id, []),
            }
        )
    return render(
        request,
        "relationships/partner_relationships.html",
        {"rows": rows, "customer": customer, "crumbs": _crumbs(("Partner relationships", ""))},
    )


@customer_admin_required
def customer_gdap(request):
    """GD-1/GD-2: pending requests to approve or reject; active relationships and expiries."""
    rows = list(gdap_services.gdap_of_customer(request.customer))
    now = clock.now()
    return render(
        request,
        "relationships/customer_gdap.html",
        {
            "pending": [g for g in rows if g.status == GdapStatus.PENDING],
            "active": [g for g in rows if g.status == GdapStatus.ACTIVE],
            "history": [g for g in rows if g.status not in (GdapStatus.PENDING, GdapStatus.ACTIVE)],
            "now": now,
            "decision_refusal": customer_decision_refusal(
                request.user, "approve, reject or end GDAP relationships"
            ),
            "crumbs": _crumbs(("Admin relationships (GDAP)", "")),
        },
    )


@customer_admin_required
@require_POST
def customer_gdap_decide(request, pk, action):
    gdap = get_object_or_404(GdapRelationship, pk=pk, customer=request.customer)
    service = {
        "approve": gdap_services.gdap_approve,
        "reject": gdap_services.gdap_reject,
        "terminate": gdap_services.gdap_terminate,
    }.get(action)
    if service is None:
        raise Http404("Unknown action.")
    if action == "terminate" and not confirmed(request, "end the GDAP relationship"):
        return redirect("customer_gdap")
    try:
        gdap = service(actor=request.user, gdap=gdap)
    except RuleViolation as error:
        refusals.show(request, error)
    else:
        done = {"approve": "approved", "reject": "rejected", "terminate": "ended"}[action]
        messages.success(request, f"You {done} {gdap.partner}'s GDAP relationship {gdap.name}.")
    return redirect("customer_gdap")


# --- partner GDAP ---------------------------------------------------------------------------


@partner_required()
def partner_gdap(request):
    rows = gdap_services.gdap_of_partner(request.partner)
    status = request.GET.get("status", "")
    if status in GdapStatus.values:
        rows = rows.filter(status=status)
    page = keyset.paginate(request, rows, size=25, salt="partner_gdap")
    return render(
        request,
        "relationships/partner_gdap.html",
        {
            "page": page,
            "statuses": GdapStatus.choices,
            "status": status,
            "can_request": request.user.has_role("admin_agent"),
            "crumbs": _crumbs(("GDAP relationships", "")),
        },
    )


@partner_required("admin_agent")
@require_POST
def partner_gdap_terminate(request, pk):
    """GD-3: the partner's Admin agent ends an active GDAP relationship."""
    gdap = get_object_or_404(GdapRelationship, pk=pk, partner=request.partner)
    if not confirmed(request, "end the GDAP relationship"):
        return redirect("partner_gdap")
    try:
        gdap = gdap_services.gdap_terminate(actor=request.user, gdap=gdap)
    except RuleViolation as error:
        refusals.show(request, error)
    else:
        messages.success(
            request,
            f"You ended the GDAP relationship {gdap.name} with {gdap.customer}: its admin "
            "permissions are gone.",
        )
    return redirect("partner_gdap")


@partner_required("admin_agent")
def gdap_request(request):
    """GD-1: an Admin agent requests GDAP from one of its customers."""
    partner = request.partner
    customers = gdap_customers(partner)
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = customer_for(partner, request.GET["customer"])
    form = GdapRequestForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = customer_for(partner, data["customer"].pk)
        try:
            gdap = gdap_services.gdap_request(
                actor=request.user,
                customer=customer,
                roles=data["roles"],
                duration_days=data["duration_days"],
                auto_extend=data["auto_extend"],
                name=data["name"],
            )
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(
                request,
                f"GDAP request sent to {gdap.customer}. It expires unanswered on "
                f"{gdap.request_expires_at:%d %b %Y}.",
            )
            return redirect("partner_gdap")
    return render(
        request,
        "relationships/gdap_request.html",
        {
            "form": form,
            "rules": gdap_services.rules(),
            "crumbs": _crumbs(
                ("GDAP relationships", reverse("partner_gdap")), ("Request GDAP", "")
            ),
        },
    )

"""Customer invitations (CU-2, MV-7, MV-8): the partner's list, draft and cancel pages, and the
page where the customer's admin answers the link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import keyset, refusals
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import customer_decision_refusal, customer_for, partner_required
from enrollment import capabilities

from .. import selectors
from ..exceptions import LinkProblem
from ..forms import InvitationCreateForm, InvitationDraftForm
from ..models import CustomerInvitation, InvitationKind, InvitationStatus
from ..services import invitation_drafts, invitations
from .common import crumbs, int_or_404, link_problem

# --- the partner's side (reseller / direct-bill partner) -------------------------------------


@partner_required()
def customer_invitations(request):
    """CU-2/MV-7: track the invitations sent to customers."""
    rows = selectors.invitations_of(partner=request.partner)
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
            "can_invite_indirect": capabilities.is_indirect_reseller(partner=request.partner),
            "can_invite_direct": capabilities.has_open_direct_bill(partner=request.partner),
            "crumbs": crumbs(("Customer invitations", "")),
        },
    )


@partner_required(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
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
    providers = selectors.accepted_providers(reseller=partner)
    form = InvitationCreateForm(request.POST or None, providers=providers)
    if kind == InvitationKind.DIRECT:
        form.fields["provider"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_drafts.customer_invitation_create(
                actor=request.user,
                kind=kind,
                provider=form.cleaned_data.get("provider"),
                customer=customer,
                domain=form.cleaned_data.get("domain", ""),
            )
        except RuleViolation as error:
            refusals.refuse_in_form(form, error)
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
            "is_indirect_reseller": capabilities.is_indirect_reseller(partner=partner),
            "crumbs": crumbs(
                ("Customer invitations", reverse("customer_invitations")), (title, "")
            ),
        },
    )


@partner_required()
def customer_invitation_draft(request, pk):
    """CU-2: edit the draft email (the link must stay), copy or send it, Done."""
    invitation = get_object_or_404(
        CustomerInvitation.objects.select_related("provider", "customer"),
        pk=int_or_404(pk),
        partner=request.partner,
    )
    form = InvitationDraftForm(request.POST or None, initial={"message": invitation.message})
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        message = form.cleaned_data["message"]
        try:
            if action == "send":
                invitation_drafts.customer_invitation_send(
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
                invitation_drafts.customer_invitation_done(
                    actor=request.user, invitation=invitation, message=message
                )
                messages.success(
                    request, "Done. The invitation is pending until the customer answers it."
                )
                return redirect("customer_invitations")
            invitation_drafts.customer_invitation_edit(
                actor=request.user, invitation=invitation, message=message
            )
            messages.success(request, "The email text was saved.")
            return redirect("customer_invitation_draft", pk=invitation.pk)
        except RuleViolation as error:
            refusals.refuse_in_form(form, error)
    return render(
        request,
        "relationships/invitation_draft.html",
        {
            "invitation": invitation,
            "form": form,
            "link": invitation_drafts.link_url(invitation),
            "crumbs": crumbs(
                ("Customer invitations", reverse("customer_invitations")),
                (f"Invitation #{invitation.pk}", ""),
            ),
        },
    )


@partner_required(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
@require_POST
def customer_invitation_cancel(request, pk):
    invitation = get_object_or_404(CustomerInvitation, pk=pk, partner=request.partner)
    if not confirmed(request, "cancel the invitation"):
        return redirect("customer_invitations")
    try:
        invitation_drafts.customer_invitation_cancel(actor=request.user, invitation=invitation)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="customer_invitations")
    messages.success(request, "The invitation was cancelled; its link no longer works.")
    return redirect("customer_invitations")


# --- the customer admin's side ---------------------------------------------------------------


@login_required
def customer_invitation_link(request, token):
    """CU-2/MV-7/PV-3: the customer's admin opens the link, sees who asks for what, answers."""
    if request.method == "POST":
        action = request.POST.get("action")
        service = {
            "accept": invitations.customer_invitation_accept,
            "decline": invitations.customer_invitation_decline,
        }.get(action)
        if service is None:
            return link_problem(request, LinkProblem("Choose Accept or Decline."))
        # The service checks the link itself, so a refused attempt is audited (AC-4).
        try:
            invitation = service(actor=request.user, token=token)
        except LinkProblem as error:
            return link_problem(request, error)
        except RuleViolation as error:
            return refusals.refuse(request, error, back=request.path)
        if action == "accept":
            messages.success(
                request,
                f"You accepted {invitation.partner}'s invitation. Your partners are listed below.",
            )
        else:
            messages.info(request, f"You declined {invitation.partner}'s invitation.")
        return redirect("partner_relationships")
    return _customer_link_page(request, token)


def _customer_link_page(request, token):
    try:
        invitation = invitations.open_customer_link(actor=request.user, token=token)
    except LinkProblem as error:
        return link_problem(request, error)
    return render(
        request,
        "relationships/customer_invitation_link.html",
        {
            "invitation": invitation,
            "summary": selectors.what_accepting_does(
                invitation=invitation, customer=request.user.customer
            ),
            "decision_refusal": customer_decision_refusal(
                request.user, "accept or decline an invitation"
            ),
        },
    )

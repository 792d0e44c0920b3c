"""GDAP pages (GD-1..GD-3, CU-7): the customer's requests and relationships with its decisions,
and the partner's relationships, request form and termination."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock, keyset, refusals
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import (
    customer_admin_required,
    customer_decision_refusal,
    customer_for,
    partner_required,
)

from .. import selectors
from ..forms import GdapRequestForm, gdap_customers
from ..models import GdapRelationship, GdapStatus
from ..services import gdap as gdap_services
from .common import crumbs

# --- the customer admin's side ---------------------------------------------------------------


@customer_admin_required
def customer_gdap(request):
    """GD-1/GD-2: pending requests to approve or reject; active relationships and expiries."""
    rows = list(selectors.gdap_of_customer(customer=request.customer))
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
            "crumbs": crumbs(("Admin relationships (GDAP)", "")),
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
        return refusals.refuse(request, error, back="customer_gdap")
    done = {"approve": "approved", "reject": "rejected", "terminate": "ended"}[action]
    messages.success(request, f"You {done} {gdap.partner}'s GDAP relationship {gdap.name}.")
    return redirect("customer_gdap")


# --- the partner's side ----------------------------------------------------------------------


@partner_required()
def partner_gdap(request):
    rows = selectors.gdap_of_partner(partner=request.partner)
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
            "can_request": request.user.has_role(Role.ADMIN_AGENT),
            "crumbs": crumbs(("GDAP relationships", "")),
        },
    )


@partner_required(Role.ADMIN_AGENT)
@require_POST
def partner_gdap_terminate(request, pk):
    """GD-3: the partner's Admin agent ends an active GDAP relationship."""
    gdap = get_object_or_404(GdapRelationship, pk=pk, partner=request.partner)
    if not confirmed(request, "end the GDAP relationship"):
        return redirect("partner_gdap")
    try:
        gdap = gdap_services.gdap_terminate(actor=request.user, gdap=gdap)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="partner_gdap")
    messages.success(
        request,
        f"You ended the GDAP relationship {gdap.name} with {gdap.customer}: its admin "
        "permissions are gone.",
    )
    return redirect("partner_gdap")


@partner_required(Role.ADMIN_AGENT)
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
            refusals.refuse_in_form(form, error)
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
            "rules": selectors.gdap_rules(),
            "crumbs": crumbs(("GDAP relationships", reverse("partner_gdap")), ("Request GDAP", "")),
        },
    )

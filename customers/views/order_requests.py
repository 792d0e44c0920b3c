"""IR-2 pages: the provider's queue of its resellers' order requests (fulfil or decline) and
the reseller's list of the requests it sent, with their status."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import keyset
from core.exceptions import RuleViolation
from core.refusals import refuse
from core.roles import partner_required, provider_required

from ..forms import DeclineOrderRequestForm
from ..models import OrderRequest, OrderRequestStatus
from ..selectors import requests_for_provider, requests_of_reseller
from ..services.common import MANAGE_ROLES
from ..services.order_requests import DECIDE_ROLES, order_request_decline
from ..services.orders import order_submit

PAGE_SIZE = 50


@partner_required()
def order_request_list_view(request):
    """A provider sees the requests its resellers sent it; a reseller the ones it sent."""
    partner = request.partner
    status = request.GET.get("status", "")
    if partner.is_indirect_provider:
        rows = requests_for_provider(provider=partner, status=status).order_by(
            "-status", "requested_at", "pk"
        )
    else:
        rows = requests_of_reseller(reseller=partner, status=status)
    page = keyset.paginate(request, rows, size=PAGE_SIZE, salt="order_requests")
    return render(
        request,
        "customers/order_requests.html",
        {
            "page": page,
            "status": status if status in OrderRequestStatus.values else "",
            "statuses": OrderRequestStatus.choices,
            "is_provider": partner.is_indirect_provider,
            "can_decide": request.user.has_role(*DECIDE_ROLES),
            "decline_form": DeclineOrderRequestForm(),
        },
    )


def _open_request(request, rid) -> OrderRequest:
    """The provider's own request (AC-2: anybody else's is not found)."""
    found = OrderRequest.objects.filter(pk=rid, provider=request.partner).first()
    if found is None:
        raise Http404("No such order request.")
    return found


@require_POST
@provider_required(*MANAGE_ROLES)
def order_request_fulfil_view(request, rid):
    """The provider places the requested order on its own billing (IR-2)."""
    req = _open_request(request, rid)
    try:
        order = order_submit(
            actor=request.user,
            customer=req.customer,
            offer_id=req.offer_id,
            quantity=req.quantity,
            order_request=req,
        )
    except RuleViolation as error:
        return refuse(request, error, back="order_request_list")
    else:
        messages.success(
            request,
            f"Order #{order.pk} placed for {req.customer}: {req.offer_name} ×{req.quantity}. "
            f"{req.reseller} was told.",
        )
    return redirect("order_request_list")


@require_POST
@provider_required(*MANAGE_ROLES)
def order_request_decline_view(request, rid):
    """The provider declines the request with a reason the reseller sees (IR-2)."""
    req = _open_request(request, rid)
    form = DeclineOrderRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reseller a reason for declining its request.")
        return redirect("order_request_list")
    try:
        order_request_decline(
            actor=request.user, order_request_id=req.pk, reason=form.cleaned_data["reason"]
        )
    except RuleViolation as error:
        return refuse(request, error, back="order_request_list")
    else:
        messages.success(request, f"Declined {req.reseller}'s request; it was told why.")
    return redirect("order_request_list")

"""An indirect customer's page actions: the reseller's order requests (CU-4), the provider's
orders (MV-1), service requests, tenant users and licences (CU-6)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core.exceptions import RuleViolation
from core.refusals import refuse
from core.roles import (
    customer_for,
    partner_required,
)
from core.validators import parse_id

from ..forms import (
    CustomerUserForm,
    OfferForm,
    OrderRequestForm,
    ServiceRequestForm,
)
from ..models import CustomerUser, OrderRequest, ServiceRequest
from ..selectors import (
    resellers_served,
)
from ..services.common import MANAGE_ROLES
from ..services.order_requests import order_request_create
from ..services.orders import order_submit
from ..services.tenant import (
    customer_user_create,
    license_assign,
    service_request_close,
    service_request_create,
)
from .common import back_to, form_errors, section_url


@require_POST
@partner_required(*MANAGE_ROLES)
def order_request_view(request, pk):
    """Indirect reseller: request an order from your provider (CU-4)."""
    customer = customer_for(request.partner, pk)
    form = OrderRequestForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form, customer, "#order-requests")
    try:
        req = order_request_create(actor=request.user, customer=customer, **form.cleaned_data)
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#order-requests"))
    messages.success(
        request, f"Your request for {req.offer_name} ×{req.quantity} was sent to {req.provider}."
    )
    return back_to(customer, "#order-requests")


@require_POST
@partner_required(*MANAGE_ROLES)
def order_submit_view(request, pk):
    """Indirect provider: submit an order (MV-1), optionally fulfilling a reseller's request."""
    partner = request.partner
    customer = customer_for(partner, pk)
    order_request = None
    if request.POST.get("order_request"):
        try:
            order_request = OrderRequest.objects.get(
                pk=parse_id(request.POST["order_request"]), customer=customer, provider=partner
            )
        except OrderRequest.DoesNotExist:
            raise Http404("No such order request.") from None
        data = {
            "offer_id": order_request.offer_id,
            "quantity": order_request.quantity,
            "parent": None,
        }
    else:
        form = OfferForm(request.POST, customer=customer, billing_partner=partner)
        if not form.is_valid():
            return form_errors(request, form, customer, "#orders")
        data = form.cleaned_data
    try:
        order = order_submit(
            actor=request.user,
            customer=customer,
            order_request=order_request,
            reseller=_served_reseller(partner, customer, request.POST.get("reseller")),
            **data,
        )
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#orders"))
    messages.success(request, f"Order #{order.pk} submitted for {customer}.")
    return back_to(customer, "#orders")


def _served_reseller(provider, customer, reseller_id):
    """The reseller named in the order form, among those the provider serves the customer for
    (IR-4); None when none is named; 404 for any other."""
    if not reseller_id:
        return None
    for reseller in resellers_served(provider=provider, customer=customer):
        if str(reseller.pk) == reseller_id:
            return reseller
    raise Http404("No such reseller for this customer.")


@require_POST
@partner_required(*MANAGE_ROLES)
def service_request_view(request, pk):
    customer = customer_for(request.partner, pk)
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form, customer, "#service-requests")
    try:
        service_request_create(actor=request.user, customer=customer, **form.cleaned_data)
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#service-requests"))
    messages.success(request, "Service request opened.")
    return back_to(customer, "#service-requests")


@require_POST
@partner_required(*MANAGE_ROLES)
def service_request_close_view(request, pk, rid):
    customer = customer_for(request.partner, pk)
    req = get_object_or_404(ServiceRequest, pk=rid, customer=customer, partner=request.partner)
    try:
        service_request_close(actor=request.user, service_request=req)
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#service-requests"))
    messages.success(request, "Service request closed.")
    return back_to(customer, "#service-requests")


@require_POST
@partner_required(*MANAGE_ROLES)
def customer_user_view(request, pk):
    customer = customer_for(request.partner, pk)
    form = CustomerUserForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form, customer, "#users")
    try:
        user = customer_user_create(actor=request.user, customer=customer, **form.cleaned_data)
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#users"))
    messages.success(request, f"User {user.email} added.")
    return back_to(customer, "#users")


@require_POST
@partner_required(*MANAGE_ROLES)
def license_view(request, pk, uid):
    customer = customer_for(request.partner, pk)
    tenant_user = get_object_or_404(CustomerUser, pk=uid, customer=customer)
    offer_id = request.POST.get("offer_id", "")
    assign = request.POST.get("assign") == "1"
    try:
        license_assign(
            actor=request.user, customer_user=tenant_user, offer_id=offer_id, assign=assign
        )
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#users"))
    messages.success(
        request, f"Licence {'assigned to' if assign else 'removed from'} {tenant_user.email}."
    )
    return back_to(customer, "#users")

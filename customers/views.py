"""Customers pages: the list, the customer page per relationship type (CU-4, CU-5), create a
customer (CU-3, DB-2), subscription actions (DB-2, TR-5), indirect tasks (order requests,
users and licences, service requests, analytics), provider orders (MV-1) and the MCA (MCA-2).
Views are thin: a role check, a form, one service call."""

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.views.decorators.http import require_POST

from core import clock, keyset, refusals
from core.exceptions import RuleViolation
from core.models import RelationshipKind
from core.roles import (
    customer_admin_required,
    customer_decision_refusal,
    customer_for,
    partner_required,
)
from core.validators import parse_id
from core.wording import join_clauses
from enrollment import agreements

from . import services
from .forms import (
    CancelForm,
    CustomerCreateForm,
    CustomerUserForm,
    McaAcceptForm,
    McaAttestForm,
    MigrationForm,
    OfferForm,
    OrderRequestForm,
    PurchaseForm,
    QuantityForm,
    RenewalQuantityForm,
    ServiceRequestForm,
    SuspendForm,
)
from .mca import mca_status_for
from .models import CustomerUser, OrderRequest, ServiceRequest, Subscription
from .selectors import (
    TYPE_FILTERS,
    customer_count,
    customer_list,
    customer_page,
    decorate_rows,
)
from .services import MANAGE_ROLES, MCA_ROLES

PAGE_SIZE = 50


def _can(user, roles):
    return user.has_role(*roles)


# What a customers list row shows; its HTML is a pure function of these (and the URL prefix).
LIST_ROW_FIELDS = ("pk", "company_name", "domain", "type_pill", "type_label", "mca")


@functools.lru_cache(maxsize=4096)
def _list_row_html(script_prefix: str, **fields) -> str:
    """A customers list row (`<tr>`), rendered once per content and reused: rendering the row
    template for 50 rows cost more than the rest of the page."""
    return render_to_string("customers/_list_row.html", fields)


@partner_required()
def customer_list_view(request):
    partner = request.partner
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("type", "")
    page = keyset.paginate(
        request,
        customer_list(partner, q=q, kind=kind),
        size=PAGE_SIZE,
        salt="customers",
        count=customer_count(partner, q=q, kind=kind),
    )
    for row in decorate_rows(page.object_list):
        fields = {name: row[name] for name in LIST_ROW_FIELDS}
        row["html"] = _list_row_html(get_script_prefix(), **fields)
    return render(
        request,
        "customers/list.html",
        {
            "page": page,
            "q": q,
            "type": kind,
            "type_filters": TYPE_FILTERS,
            "can_manage": _can(request.user, MANAGE_ROLES),
            # MV-7: "New relationship" with an existing customer (the service refuses a partner
            # without an active direct-bill account, saying why).
            "can_request_relationship": not partner.is_indirect_provider,
        },
    )


@partner_required(*MANAGE_ROLES)
def customer_create_view(request):
    partner = request.partner
    provider = partner if partner.is_indirect_provider else None
    form = CustomerCreateForm(request.POST or None, provider=provider)
    refusal = services.create_customer_refusal(partner)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, **form.cleaned_data)
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(request, f"The customer {customer} was created.")
            return redirect("customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/create.html",
        {"form": form, "provider": provider, "refusal": refusal},
    )


@partner_required()
def customer_detail_view(request, pk):
    partner = request.partner
    customer = customer_for(partner, pk)
    context = customer_page(partner, customer)
    user = request.user
    context.update(
        can_manage=_can(user, MANAGE_ROLES),
        can_attest=_can(user, MCA_ROLES),
        kind=context["relationship"].kind,
        now=clock.now(),
    )
    kind = context["kind"]
    if kind == RelationshipKind.DIRECT:
        context["purchase_refusal"] = services.purchase_refusal(partner)
    elif kind == RelationshipKind.INDIRECT_RESELLER:
        context["order_request_form"] = OrderRequestForm()
        context["service_request_form"] = ServiceRequestForm()
        context["user_form"] = CustomerUserForm()
    else:
        context["order_form"] = OfferForm(customer=customer, billing_partner=partner)
    return render(request, "customers/detail.html", context)


def _back(customer, anchor=""):
    return redirect(reverse("customer_detail", args=[customer.pk]) + anchor)


def _refused(request, error, customer, anchor=""):
    refusals.show(request, error)
    return _back(customer, anchor)


def _form_errors(request, form, customer, anchor=""):
    errors = join_clauses(str(e) for field_errors in form.errors.values() for e in field_errors)
    messages.error(request, f"{errors}." if errors else "Check the form.")
    return _back(customer, anchor)


@partner_required(*MANAGE_ROLES)
def purchase_view(request, pk):
    """Add products (direct-bill customers only, CU-5; refused while Restricted, DB-2)."""
    partner = request.partner
    customer = customer_for(partner, pk)
    rel = services.relationship_of(partner, customer)
    if rel.kind != RelationshipKind.DIRECT:
        raise Http404("No products to add for this customer.")
    form = PurchaseForm(request.POST or None, customer=customer, billing_partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sub = services.subscription_purchase(
                actor=request.user,
                customer=customer,
                offer_id=data["offer_id"],
                quantity=data["quantity"],
                parent=data["parent"],
                trial=data["trial"],
                convert_trial=data["convert_trial"],
            )
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(request, f"Purchased {sub.offer_name} ×{sub.quantity}.")
            return _back(customer, "#subscriptions")
    return render(request, "customers/purchase.html", {"customer": customer, "form": form})


SUBSCRIPTION_ACTIONS = {
    "quantity",
    "renewal-seats",
    "suspend",
    "reactivate",
    "cancel",
    "auto-renew",
    "migrate",
}
SUBSCRIPTION_FORMS = {
    "quantity": QuantityForm,
    "renewal-seats": RenewalQuantityForm,
    "cancel": CancelForm,
    "migrate": MigrationForm,
    "suspend": SuspendForm,
}


@require_POST
@partner_required(*MANAGE_ROLES)
def subscription_action_view(request, pk, sid, action):
    """Manage an existing subscription (allowed while Restricted, DB-2; NC-1..NC-4) or migrate
    a legacy one (TR-5). Another partner's subscription is 404 (AC-2)."""
    partner = request.partner
    customer = customer_for(partner, pk)
    if action not in SUBSCRIPTION_ACTIONS:
        raise Http404("No such action.")
    sub = get_object_or_404(Subscription, pk=sid, customer=customer, billing_partner=partner)
    actor = request.user
    form_class = SUBSCRIPTION_FORMS.get(action)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _form_errors(request, form, customer, "#subscriptions")
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "quantity":
            services.subscription_change_quantity(
                actor=actor, subscription=sub, quantity=data["quantity"]
            )
            message = f"{sub.offer_name}: seat count is now {data['quantity']}."
        elif action == "renewal-seats":
            sub = services.subscription_schedule_renewal_quantity(
                actor=actor, subscription=sub, quantity=data["quantity"]
            )
            seats = sub.renewal_quantity or sub.quantity
            message = f"{sub.offer_name} renews with {seats} seats."
        elif action == "suspend":
            services.subscription_suspend(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is suspended."
        elif action == "reactivate":
            services.subscription_reactivate(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is active again."
        elif action == "cancel":
            services.subscription_cancel(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is cancelled."
        elif action == "auto-renew":
            enabled = request.POST.get("enabled") == "on"
            services.subscription_set_auto_renew(actor=actor, subscription=sub, enabled=enabled)
            message = f"Auto-renew {'on' if enabled else 'off'} for {sub.offer_name}."
        else:
            new = services.subscription_migrate_to_new_commerce(
                actor=actor, subscription=sub, **form.service_kwargs()
            )
            message = (
                f"{sub.offer_name} was migrated to new commerce as {new.offer_name} "
                f"×{new.quantity}, {new.term_duration} billed {new.billing_cycle}."
            )
    except RuleViolation as error:
        return _refused(request, error, customer, "#subscriptions")
    messages.success(request, message)
    return _back(customer, "#subscriptions")


@require_POST
@partner_required(*MANAGE_ROLES)
def order_request_view(request, pk):
    """Indirect reseller: request an order from your provider (CU-4)."""
    customer = customer_for(request.partner, pk)
    form = OrderRequestForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, customer, "#order-requests")
    try:
        req = services.order_request_create(
            actor=request.user, customer=customer, **form.cleaned_data
        )
    except RuleViolation as error:
        return _refused(request, error, customer, "#order-requests")
    messages.success(
        request, f"Your request for {req.offer_name} ×{req.quantity} was sent to {req.provider}."
    )
    return _back(customer, "#order-requests")


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
            return _form_errors(request, form, customer, "#orders")
        data = form.cleaned_data
    try:
        order = services.order_submit(
            actor=request.user,
            customer=customer,
            order_request=order_request,
            reseller=_served_reseller(partner, customer, request.POST.get("reseller")),
            **data,
        )
    except RuleViolation as error:
        return _refused(request, error, customer, "#orders")
    messages.success(request, f"Order #{order.pk} submitted for {customer}.")
    return _back(customer, "#orders")


def _served_reseller(provider, customer, reseller_id):
    """The reseller named in the order form, among those the provider serves the customer for
    (IR-4); None when none is named; 404 for any other."""
    if not reseller_id:
        return None
    for reseller in services.resellers_served(provider, customer):
        if str(reseller.pk) == reseller_id:
            return reseller
    raise Http404("No such reseller for this customer.")


@require_POST
@partner_required(*MANAGE_ROLES)
def service_request_view(request, pk):
    customer = customer_for(request.partner, pk)
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, customer, "#service-requests")
    try:
        services.service_request_create(actor=request.user, customer=customer, **form.cleaned_data)
    except RuleViolation as error:
        return _refused(request, error, customer, "#service-requests")
    messages.success(request, "Service request opened.")
    return _back(customer, "#service-requests")


@require_POST
@partner_required(*MANAGE_ROLES)
def service_request_close_view(request, pk, rid):
    customer = customer_for(request.partner, pk)
    req = get_object_or_404(ServiceRequest, pk=rid, customer=customer, partner=request.partner)
    try:
        services.service_request_close(actor=request.user, service_request=req)
    except RuleViolation as error:
        return _refused(request, error, customer, "#service-requests")
    messages.success(request, "Service request closed.")
    return _back(customer, "#service-requests")


@require_POST
@partner_required(*MANAGE_ROLES)
def customer_user_view(request, pk):
    customer = customer_for(request.partner, pk)
    form = CustomerUserForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, customer, "#users")
    try:
        user = services.customer_user_create(
            actor=request.user, customer=customer, **form.cleaned_data
        )
    except RuleViolation as error:
        return _refused(request, error, customer, "#users")
    messages.success(request, f"User {user.email} added.")
    return _back(customer, "#users")


@require_POST
@partner_required(*MANAGE_ROLES)
def license_view(request, pk, uid):
    customer = customer_for(request.partner, pk)
    tenant_user = get_object_or_404(CustomerUser, pk=uid, customer=customer)
    offer_id = request.POST.get("offer_id", "")
    assign = request.POST.get("assign") == "1"
    try:
        services.license_assign(
            actor=request.user, customer_user=tenant_user, offer_id=offer_id, assign=assign
        )
    except RuleViolation as error:
        return _refused(request, error, customer, "#users")
    messages.success(
        request, f"Licence {'assigned to' if assign else 'removed from'} {tenant_user.email}."
    )
    return _back(customer, "#users")


@partner_required(*MCA_ROLES)
def mca_attest_view(request, pk):
    """MCA-2: attest the customer's acceptance (Admin agent or Sales agent)."""
    customer = customer_for(request.partner, pk)
    form = McaAttestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mca_attest(actor=request.user, customer=customer, **form.cleaned_data)
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(request, "The Microsoft Customer Agreement attestation is recorded.")
            return _back(customer, "#mca")
    return render(
        request,
        "customers/mca_attest.html",
        {"customer": customer, "form": form, "mca": mca_status_for(customer, request.partner)},
    )


@customer_admin_required
def mca_admin_center_view(request):
    """The customer's admin reads the agreement summary and accepts it (MCA-2)."""
    customer = request.customer
    existing = customer.mca_acceptances.filter(method="admin_center").first()
    form = McaAcceptForm(
        request.POST or None,
        initial={"signatory_name": request.user.full_name, "signatory_email": request.user.email},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mca_accept_in_admin_center(
                actor=request.user,
                signatory_name=data["signatory_name"],
                signatory_email=data["signatory_email"],
            )
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(
                request,
                "You accepted the Microsoft Customer Agreement. It holds for all your partners.",
            )
            return redirect("mca_admin_center")
    return render(
        request,
        "customers/mca_admin_center.html",
        {
            "customer": customer,
            "form": form,
            "acceptance": existing,
            "agreement": agreements.accepted(
                agreements.CUSTOMER_AGREEMENT, existing.agreement_version
            )
            if existing
            else agreements.current(agreements.CUSTOMER_AGREEMENT),
            "decision_refusal": customer_decision_refusal(
                request.user, "accept the Microsoft Customer Agreement"
            ),
        },
    )

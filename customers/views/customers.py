"""The customers list (AC-2, one query per page), creating a customer (CU-3, DB-2) and the
customer page per relationship type (CU-4, CU-5)."""

import functools

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix

from core import clock, keyset
from core.exceptions import RuleViolation
from core.models import RelationshipKind
from core.refusals import refuse_in_form
from core.roles import (
    customer_for,
    partner_required,
)

from ..forms import (
    CustomerCreateForm,
    CustomerUserForm,
    OfferForm,
    OrderRequestForm,
    ServiceRequestForm,
)
from ..selectors import (
    TYPE_FILTERS,
    customer_count,
    customer_list,
    customer_page,
    decorate_rows,
)
from ..services.common import MANAGE_ROLES, MCA_ROLES
from ..services.customers import create_customer_refusal, customer_create
from ..services.orders import purchase_refusal

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
        customer_list(partner=partner, q=q, kind=kind),
        size=PAGE_SIZE,
        salt="customers",
        count=customer_count(partner=partner, q=q, kind=kind),
    )
    for row in decorate_rows(customers=page.object_list):
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
    refusal = create_customer_refusal(partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_create(actor=request.user, **form.cleaned_data)
        except RuleViolation as error:
            refuse_in_form(form, error)
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
    context = customer_page(partner=partner, customer=customer)
    user = request.user
    context.update(
        can_manage=_can(user, MANAGE_ROLES),
        can_attest=_can(user, MCA_ROLES),
        kind=context["relationship"].kind,
        now=clock.now(),
    )
    kind = context["kind"]
    if kind == RelationshipKind.DIRECT:
        context["purchase_refusal"] = purchase_refusal(partner=partner)
    elif kind == RelationshipKind.INDIRECT_RESELLER:
        context["order_request_form"] = OrderRequestForm()
        context["service_request_form"] = ServiceRequestForm()
        context["user_form"] = CustomerUserForm()
    else:
        context["order_form"] = OfferForm(customer=customer, billing_partner=partner)
    return render(request, "customers/detail.html", context)

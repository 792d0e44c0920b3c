"""Reads of the Transfers and Transition pages, shared by each page and its CSV export so the
export holds exactly the rows the page's filters select (AC-2: the partner's own)."""

from django.db.models import Q

from . import readiness
from .forms import TransferFilterForm
from .models import TransferRequest


def transfer_list(*, partner, params) -> tuple[TransferFilterForm, object]:
    """The transfer requests `partner` is source or target of, filtered by the page's GET
    (direction, status, customer name): the bound form and the queryset, newest first."""
    form = TransferFilterForm(params or None)
    qs = TransferRequest.objects.filter(Q(source=partner) | Q(target=partner)).select_related(
        "customer", "source", "target"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["direction"] == "incoming":
            qs = qs.filter(source=partner)
        elif data["direction"] == "outgoing":
            qs = qs.filter(target=partner)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["q"]:
            qs = qs.filter(customer__company_name__icontains=data["q"])
    return form, qs.order_by("-created_at", "-pk")


def transition_checklist(*, partner, params) -> tuple[str, str, object]:
    """The Transition checklist (MCA-1, TR-2, TX-1) filtered by the page's GET (`filter`, `q`):
    (the filter applied, the search, the annotated customers by name)."""
    qs = readiness.readiness(partner)
    current = params.get("filter", "")
    if current in readiness.FILTERS:
        qs = qs.filter(readiness.FILTERS[current][1])
    else:
        current = ""
    q = params.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(company_name__icontains=q)
    return current, q, qs.order_by("company_name", "pk")

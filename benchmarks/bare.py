"""Bare baselines: the same rows as the portal page, fetched in one query and rendered with a
bare template (or as plain JSON). No sign-in, roles, layout or related data: the ratio
portal/bare is what everything the portal adds costs."""

from django.http import JsonResponse
from django.shortcuts import render

from core.models import Customer, Partner

PAGE = 50


_contoso = {}


def _partner():
    if "partner" not in _contoso:
        _contoso["partner"] = Partner.objects.get(tenant__domain="contoso.example")
    return _contoso["partner"]


def _page(request, size):
    page = max(1, int(request.GET.get("page", 1) or 1))
    return (page - 1) * size, page * size


def customers(request):
    start, end = _page(request, PAGE)
    rows = list(
        Customer.objects.filter(relationships__partner=_partner())
        .order_by("company_name", "id")
        .values("id", "company_name", "tenant__domain", "email", "relationships__kind")[start:end]
    )
    return render(request, "bench/bare_table.html", {"rows": rows})


def transition(request):
    from transfers.readiness import readiness

    start, end = _page(request, PAGE)
    rows = list(readiness(_partner()).order_by("company_name", "id").values()[start:end])
    return render(request, "bench/bare_table.html", {"rows": rows})


def api_customers(request):
    size = int(request.GET.get("size", 100))
    rows = list(
        Customer.objects.filter(relationships__partner=_partner())
        .order_by("company_name", "id")
        .values("id", "tenant_id", "company_name", "tenant__domain", "email")[:size]
    )
    return JsonResponse(
        {"totalCount": len(rows), "items": rows}, json_dumps_params={"default": str}
    )

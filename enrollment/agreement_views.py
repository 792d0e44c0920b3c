"""Agreement texts (simulated, versioned: `agreements`) to read and to download as one HTML
file, each with the acceptance records the viewer may see (AC-2: its own organisation's, or its
customers'). The partner agreement's records live here; the customer agreement's page is the
customers app's (`customers/agreement_views.py`), drawn by the same helpers."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from core import clock, keyset
from core.roles import partner_required

from . import agreements
from .models import DirectBillEnrollment, IndirectResellerEnrollment
from .views.account import account_page


@dataclass
class Records:
    """An agreement's acceptance records as a table: column labels and rows of cells, given
    either as a short list (`rows`) or, when they can be many (one per customer), as an ordered
    queryset and the function that turns one of its objects into cells, so that the page reads
    a keyset page of them and the download streams them."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    queryset: QuerySet | None = None
    cells: Callable[[object], list[str]] | None = None
    empty: str = "No acceptance recorded yet."
    notes: list[str] = field(default_factory=list)

    def every_row(self) -> Iterable[list[str]]:
        if self.queryset is None:
            return self.rows
        return (self.cells(obj) for obj in self.queryset.iterator(chunk_size=2000))


def agreement_page(request, *, key: str, records: Records, download_url: str):
    """The agreement's text with its records (a page of 50), under Account settings."""
    agreement = agreements.current(key)
    if records.queryset is not None:
        page = keyset.paginate(request, records.queryset, size=50, salt=f"agreement-{key}")
        page.object_list = [records.cells(row) for row in page.object_list]
    else:
        page = keyset.KeysetPage(object_list=records.rows)
    return account_page(
        request,
        "enrollment/agreement_text.html",
        "agreements",
        {
            "agreement": agreement,
            "records": records,
            "page": page,
            "download_url": download_url,
        },
        crumb=agreement.title,
    )


def agreement_download(
    request,
    *,
    key: str,
    records: Records,
    agreement: agreements.AgreementText | None = None,
    organisation: str = "",
) -> HttpResponse:
    """The agreement's text (`agreement`: a version accepted; default the one in force) and
    every record as one self-contained HTML file (no external asset), marked as a simulation,
    named after the agreement and version; `organisation`: who downloads (default the
    partner)."""
    agreement = agreement or agreements.current(key)
    html = render_to_string(
        "enrollment/agreement_download.html",
        {
            "agreement": agreement,
            "records": records,
            "rows": records.every_row(),
            "organisation": organisation or request.partner.legal_name,
            "generated_at": clock.now(),
        },
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agreement.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def partner_agreement_records(partner) -> Records:
    """Who accepted the partner agreement for `partner`, when, for which program, which
    version: the indirect reseller acceptances (EN-7) and the direct-bill enrollment."""
    label = f"{partner.legal_name} (PartnerID {partner.partner_id})"
    rows = []
    direct = DirectBillEnrollment.objects.filter(partner=partner).first()
    if direct is not None:
        rows.append(
            [
                "CSP direct bill",
                label,
                "At enrollment (before the portal kept acceptances)",
                f"{direct.enrolled_at:%Y-%m-%d %H:%M}",
                "not recorded",
            ]
        )
    accepted = (
        IndirectResellerEnrollment.objects.filter(
            partner=partner, agreement_accepted_at__isnull=False
        )
        .select_related("agreement_accepted_by")
        .order_by("agreement_accepted_at", "pk")
    )
    for enrollment in accepted:
        by = enrollment.agreement_accepted_by
        rows.append(
            [
                "Indirect reseller",
                label,
                by.email if by else "system",
                f"{enrollment.agreement_accepted_at:%Y-%m-%d %H:%M}",
                enrollment.agreement_version,
            ]
        )
    return Records(
        columns=["Program", "Organisation", "Accepted by", "Accepted at (UTC)", "Version"],
        rows=rows,
    )


@partner_required()
def partner_agreement_text(request):
    return agreement_page(
        request,
        key=agreements.PARTNER_AGREEMENT,
        records=partner_agreement_records(request.partner),
        download_url=reverse("agreement_partner_download"),
    )


@partner_required()
def partner_agreement_download(request):
    return agreement_download(
        request,
        key=agreements.PARTNER_AGREEMENT,
        records=partner_agreement_records(request.partner),
    )

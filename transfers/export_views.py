"""CSV exports of the Transfers list and the Transition checklist ("Export CSV" on each page):
the pages' own selectors and filters, the partner's own rows (AC-2), streamed."""

from core import csv_export
from core.roles import partner_required

from . import selectors
from .views import _enrollment_or_404


def _date(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@partner_required()
def transfer_export(request):
    partner = request.partner
    _form, qs = selectors.transfer_list(partner=partner, params=request.GET)

    def cells(t):
        return [
            t.pk,
            t.customer.company_name,
            t.source.legal_name,
            t.target.legal_name,
            "to you" if t.source_id == partner.pk else "yours",
            t.get_status_display(),
            _date(t.created_at),
            _date(t.expires_at) if t.status == "pending" else "",
            _date(t.completed_at),
        ]

    return csv_export.streaming_csv(
        stem="transfers",
        header=[
            "Request",
            "Customer",
            "Source",
            "Target",
            "Direction",
            "Status",
            "Created (simulated)",
            "Expires",
            "Completed",
        ],
        rows=qs.iterator(chunk_size=csv_export.CHUNK_SIZE),
        to_cells=cells,
    )


@partner_required()
def transition_export(request):
    partner = request.partner
    _enrollment_or_404(partner)  # the Transition page is for direct-bill partners
    _current, _q, qs = selectors.transition_checklist(partner=partner, params=request.GET)

    def cells(c):
        return [
            c.company_name,
            c.provider_name or "",
            ("Valid" if c.mca_valid else "Missing") if c.provider_id else "",
            c.direct_left,
            c.legacy_left,
            c.trials_left,
            c.open_transfers,
        ]

    return csv_export.streaming_csv(
        stem="transition-checklist",
        header=[
            "Customer",
            "Provider",
            "MCA valid for provider",
            "Direct-bill subscriptions",
            "Legacy to migrate",
            "Trials",
            "Open transfer requests",
        ],
        rows=qs.iterator(chunk_size=csv_export.CHUNK_SIZE),
        to_cells=cells,
    )

"""The customers list as CSV ("Export CSV" on the list): the list's own selector and filters
(search, relationship type), the partner's customers only (AC-2), streamed."""

from core import csv_export
from core.roles import partner_required

from ..selectors import customer_list, decorate_rows


def _cells(row):
    decorate_rows(customers=[row])
    return [
        row["company_name"],
        row["domain"],
        row["rel_kind"],
        row["type_label"],
        row["mca"].label,
    ]


@partner_required()
def customer_export_view(request):
    rows = customer_list(
        partner=request.partner, q=request.GET.get("q", "")[:100], kind=request.GET.get("type", "")
    )
    return csv_export.streaming_csv(
        stem="customers",
        header=["Customer", "Domain", "Relationship kind", "Relationship", "MCA"],
        rows=rows.iterator(chunk_size=csv_export.CHUNK_SIZE),
        to_cells=_cells,
    )

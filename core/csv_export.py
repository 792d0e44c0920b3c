"""CSV exports that stream: the rows are read from the database in chunks and written to the
response as they come, so a 100,000-row export never sits in memory.

Each export is a list page's "Export CSV" link: the same selector and the same filters as the
page (AC-2: only the partner's own data). Cells a spreadsheet would read as a formula get a
leading apostrophe (OWASP "CSV Injection":
https://owasp.org/www-community/attacks/CSV_Injection).
"""

import csv
from collections.abc import Callable, Iterable, Sequence

from django.http import StreamingHttpResponse

from . import clock

CHUNK_SIZE = 2000
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, defused when a spreadsheet would evaluate it. Numbers stay numbers
    (a negative quantity is data, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields text."""

    def write(self, value):
        return value


def csv_lines(header: Sequence[str], rows: Iterable, to_cells: Callable) -> Iterable[str]:
    """The CSV text, line by line: a byte-order mark (so Excel reads UTF-8), the header, then
    `to_cells(row)` for each row, every cell through `safe_cell`."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in to_cells(row)])


def filename(stem: str) -> str:
    """`<stem>-<simulated date>.csv`: the export's date is business time (AC-3)."""
    return f"{stem}-{clock.today():%Y-%m-%d}.csv"


def streaming_csv(
    *, stem: str, header: Sequence[str], rows: Iterable, to_cells: Callable
) -> StreamingHttpResponse:
    """A streamed CSV download; `rows` should be a lazy iterator (`.iterator(chunk_size=...)`)."""
    response = StreamingHttpResponse(
        csv_lines(header, rows, to_cells), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(stem)}"'
    response["Cache-Control"] = "no-store"  # a partner's data, never kept by a shared cache
    return response

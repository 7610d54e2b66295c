"""CSV files every report exports the same way: formula-safe cells, streamed with flat memory.

* ``safe_cell``: a cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is prefixed with ``'`` (OWASP's CSV injection advice).
  Every free-text cell goes through it.
* ``writer``: a ``csv.writer`` whose ``writerow`` returns the line instead of storing it.
* ``blocks``: rows written as CSV and handed out as UTF-8 blocks of lines.
* ``csv_response``: the streamed download — a byte-order mark (so that spreadsheets read
  accents), the header line, then the blocks; never cached.

This module is named for what it holds; ``import csv`` below is the standard library's.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Site

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Dates in a CSV file read the same in every language, so that spreadsheets take them as data
# (``promocodes.pg`` writes the same with ``to_char(…, 'DD/MM/YYYY')``).
CSV_DATE = "%d/%m/%Y"
CSV_DATETIME = "%d/%m/%Y %H:%M"


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows, never runs."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose ``write`` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def writer(lineterminator: str = "\r\n"):
    """A ``csv.writer`` whose ``writerow`` returns the formatted line."""
    return csv.writer(_Echo(), lineterminator=lineterminator)


def blocks(
    rows: Iterable[Sequence[str]], *, lines: int = 500, lineterminator: str = "\r\n"
) -> Iterator[bytes]:
    """``rows`` written as CSV, ``lines`` lines per UTF-8 block."""
    out = writer(lineterminator)
    buffer: list[str] = []
    for row in rows:
        buffer.append(out.writerow(row))
        if len(buffer) >= lines:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()


def _document(header: Sequence[str], body: Iterable[bytes], lineterminator: str) -> Iterator[bytes]:
    yield ("\ufeff" + writer(lineterminator).writerow(header)).encode()
    yield from body


def csv_response(
    site: Site,
    name: str,
    header: Sequence[str],
    body: Iterable[bytes],
    *,
    lineterminator: str = "\r\n",
) -> StreamingHttpResponse:
    """The download ``<name>-<yyyymmdd-hhmm>.csv`` (the site's local time): a byte-order mark,
    ``header``, then ``body`` (blocks of CSV lines, consumed as the response streams)."""
    response = StreamingHttpResponse(
        _document(header, body, lineterminator), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().astimezone(site.tzinfo).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response

"""Export CSV of the report, streamed with flat memory.

PostgreSQL formats the rows itself and streams them with ``COPY … TO STDOUT``
(``pg.csv_blocks``); other databases use a server-side iterator formatted in Python
(``portable.csv_blocks``). Both write the same cells (``csv_cells``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from sites.models import Site

from . import dialect
from .csv_cells import header, writer
from .models import PromoCode


def stream_csv(site: Site, codes: QuerySet[PromoCode]) -> Iterable[bytes]:
    """UTF-8 CSV with a byte-order mark (so that spreadsheets read accents), in blocks."""
    yield ("\ufeff" + writer().writerow(header())).encode()
    yield from dialect.current().csv_blocks(site, codes)

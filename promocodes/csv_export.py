"""*Export CSV* of the report, streamed with flat memory.

PostgreSQL formats the rows itself and streams them with ``COPY … TO STDOUT``
(``pg.csv_blocks``); other databases use a server-side iterator formatted in Python
(``portable.csv_blocks``). Both write the same cells (``csv_cells``); ``sites.csv`` makes the
download around them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from sites.csv import csv_response
from sites.models import Site

from . import dialect
from .csv_cells import CSV_LINE_END, header
from .models import PromoCode


def csv_download(site: Site, codes: QuerySet[PromoCode], service: str) -> StreamingHttpResponse:
    """The report's CSV download (console and API): ``promo-codes-<site>-<service>-<stamp>.csv``."""
    return csv_response(
        site,
        f"promo-codes-{site.slug}-{service}",
        header(),
        dialect.current().csv_blocks(site, codes),
        lineterminator=CSV_LINE_END,
    )

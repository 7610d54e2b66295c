"""Export CSV of the report: streamed row by row from a server-side cursor, flat in memory.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) are prefixed with ``'`` (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sites.models import SessionKind, Site

from .formatting import format_discount
from .models import AppliesTo, PromoCode, PromoCodeSession, Status

CHUNK_ROWS = 5000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "code",
    "recipient_name",
    "recipient_email",
    "discount_type",
    "discount_value",
    "applies_to",
    "kind",
    "uses",
    "max_uses",
    "created_at",
    "expires_on",
    "status",
    "id",
)


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows, never runs."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def header() -> list[str]:
    return [
        _("Code"),
        _("Recipient"),
        _("Email"),
        _("Discount"),
        _("Applicable to"),
        _("Uses"),
        _("Allowed uses"),
        _("Created"),
        _("Expiration date"),
        _("Status"),
    ]


def export_rows(site: Site, codes: QuerySet[PromoCode]) -> Iterator[list[str]]:
    """The report's rows (newest first), fetched ``CHUNK_ROWS`` at a time.

    One server-side cursor for the codes plus, per chunk holding codes limited to chosen
    sessions, one query for their session titles: a few hundred queries for a million rows,
    never one per row.
    """
    tz = site.tzinfo
    currency = site.currency
    status_labels = {value: str(label) for value, label in Status.choices}
    kind_labels = {value: str(label) for value, label in SessionKind.choices}
    all_label = str(AppliesTo.ALL.label)
    unlimited = _("Unlimited")
    discounts: dict[tuple[str, object], str] = {}
    rows = (
        codes.order_by("-created_at", "-id").values_list(*COLUMNS).iterator(chunk_size=CHUNK_ROWS)
    )
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            return
        titles = _session_titles([row[12] for row in chunk if row[5] == AppliesTo.SESSIONS])
        for (
            code,
            name,
            email,
            discount_type,
            discount_value,
            applies_to,
            kind,
            uses,
            max_uses,
            created_at,
            expires_on,
            status,
            pk,
        ) in chunk:
            key = (discount_type, discount_value)
            discount = discounts.get(key)
            if discount is None:
                discount = discounts[key] = format_discount(discount_type, discount_value, currency)
            if applies_to == AppliesTo.KIND:
                applicable = kind_labels.get(kind, kind)
            elif applies_to == AppliesTo.SESSIONS:
                applicable = safe_cell("; ".join(titles.get(pk, ())))
            else:
                applicable = all_label
            yield [
                safe_cell(code),
                safe_cell(name),
                safe_cell(email),
                discount,
                applicable,
                str(uses),
                unlimited if max_uses is None else str(max_uses),
                created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                expires_on.strftime("%d/%m/%Y"),
                status_labels.get(status, status),
            ]


def _session_titles(code_ids: list[int]) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    if not code_ids:
        return titles
    links = (
        PromoCodeSession.objects.filter(promo_code_id__in=code_ids)
        .order_by("promo_code_id", "session__title")
        .values_list("promo_code_id", "session__title")
    )
    for code_id, title in links:
        titles.setdefault(code_id, []).append(title)
    return titles


def stream_csv(site: Site, codes: QuerySet[PromoCode]) -> Iterable[bytes]:
    """UTF-8 CSV with a byte-order mark (so that spreadsheets read accents), in chunks."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(header())).encode()
    buffer: list[str] = []
    for row in export_rows(site, codes):
        buffer.append(writer.writerow(row))
        if len(buffer) >= 1000:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()

"""Export CSV of the report, streamed with flat memory.

PostgreSQL: the database formats the rows itself and streams them with
``COPY (SELECT …) TO STDOUT (FORMAT csv)`` — the report's own filtered queryset, compiled by
Django, wrapped in COPY — and the bytes go to the response in 64 KB blocks. Other databases
(the SQLite demo): a server-side iterator formatted in Python. Both produce the same cells
(``tests/promocodes/test_report.py`` compares them).

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return) are prefixed with ``'`` (OWASP's CSV injection advice). Amounts and dates
are written the same way in every language (``10%``, ``5.00 USD``, ``dd/mm/yyyy``) so that
spreadsheets read them as data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from sites.models import Session, SessionKind, Site

from .models import AppliesTo, DiscountType, PromoCode, PromoCodeSession, Status

CHUNK_ROWS = 5000
BLOCK_BYTES = 64 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows, never runs."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def format_discount(discount_type: str, value: Decimal, currency: str) -> str:
    if discount_type == DiscountType.PERCENT:
        return f"{Decimal(value).normalize():f}%"
    return f"{Decimal(value):.2f} {currency}"


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


class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _writer():
    return csv.writer(_Echo(), lineterminator="\n")


def stream_csv(site: Site, codes: QuerySet[PromoCode]) -> Iterable[bytes]:
    """UTF-8 CSV with a byte-order mark (so that spreadsheets read accents), in blocks."""
    yield ("\ufeff" + _writer().writerow(header())).encode()
    if connection.vendor == "postgresql":
        yield from _stream_copy(site, codes)
    else:
        yield from _stream_python(site, codes)


# --- PostgreSQL: COPY --------------------------------------------------------------------

_TABLE = PromoCode._meta.db_table


def _col(name: str) -> str:
    return f'"{_TABLE}"."{name}"'


def _safe_sql(expression: str) -> str:
    triggers = ", ".join(
        "E'\\t'" if c == "\t" else "E'\\r'" if c == "\r" else f"'{c}'" for c in FORMULA_TRIGGERS
    )
    return (
        f"CASE WHEN left({expression}, 1) IN ({triggers}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


def _labels_sql(column: str, labels: dict[str, str]) -> tuple[str, list]:
    cases = " ".join("WHEN %s THEN %s" for _ in labels)
    params = [item for pair in labels.items() for item in pair]
    return f"CASE {column} {cases} ELSE {column} END", params


def copy_queryset(site: Site, codes: QuerySet[PromoCode]) -> QuerySet:
    """The report's queryset with every CSV cell computed by PostgreSQL (as text)."""
    kinds_sql, kinds_params = _labels_sql(
        _col("kind"), {value: str(label) for value, label in SessionKind.choices}
    )
    status_sql, status_params = _labels_sql(
        _col("status"), {value: str(label) for value, label in Status.choices}
    )
    through = PromoCodeSession._meta.db_table
    sessions = Session._meta.db_table
    titles = (
        f"(SELECT string_agg(s.title, '; ' ORDER BY s.title) FROM {through} t "  # noqa: S608
        f"JOIN {sessions} s ON s.id = t.session_id WHERE t.promo_code_id = {_col('id')})"
    )
    cells = {
        "c_code": (_safe_sql(f"{_col('code')}::text"), []),
        "c_name": (_safe_sql(f"{_col('recipient_name')}::text"), []),
        "c_email": (_safe_sql(f"{_col('recipient_email')}::text"), []),
        "c_discount": (
            f"CASE WHEN {_col('discount_type')} = 'percent' "
            f"THEN trim_scale({_col('discount_value')})::text || '%%' "
            f"ELSE {_col('discount_value')}::text || ' ' || %s END",
            [site.currency],
        ),
        "c_applicable": (
            f"CASE {_col('applies_to')} WHEN 'kind' THEN {kinds_sql} "
            # The titles are computed once: the formula guard as an anchored regexp here.
            f"WHEN 'sessions' THEN regexp_replace(COALESCE({titles}, ''), "
            r"'^([=+@\t\r-])', '''\1') ELSE %s END",
            [*kinds_params, str(AppliesTo.ALL.label)],
        ),
        "c_uses": (f"{_col('uses')}::text", []),
        "c_allowed": (f"COALESCE({_col('max_uses')}::text, %s)", [_("Unlimited")]),
        "c_created": (
            f"to_char({_col('created_at')} AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI')",
            [site.time_zone],
        ),
        "c_expires": (f"to_char({_col('expires_on')}, 'DD/MM/YYYY')", []),
        "c_status": (status_sql, status_params),
    }
    annotated = codes.order_by("-created_at", "-id").annotate(
        # Fixed SQL of ours; every value (labels, currency, time zone) is a parameter.
        **{name: RawSQL(sql, params) for name, (sql, params) in cells.items()}  # noqa: S611
    )
    return annotated.values_list(*cells)


def _stream_copy(site: Site, codes: QuerySet[PromoCode]) -> Iterator[bytes]:
    try:
        sql, params = copy_queryset(site, codes).query.sql_with_params()
    except EmptyResultSet:
        return
    block = bytearray()
    # psycopg binds COPY's parameters on the client side.
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for data in copy:
            block += data
            if len(block) >= BLOCK_BYTES:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


# --- Other databases: a server-side iterator, formatted in Python -------------------------

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


def export_rows(site: Site, codes: QuerySet[PromoCode]) -> Iterator[list[str]]:
    """The rows (newest first), fetched ``CHUNK_ROWS`` at a time, one query per chunk for the
    session titles of codes limited to chosen sessions — never one query per row.
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


def _stream_python(site: Site, codes: QuerySet[PromoCode]) -> Iterator[bytes]:
    writer = _writer()
    buffer: list[str] = []
    for row in export_rows(site, codes):
        buffer.append(writer.writerow(row))
        if len(buffer) >= 1000:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()

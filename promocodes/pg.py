"""Every PostgreSQL-specific statement of promotional codes, in one module.

``promocodes.dialect.current()`` returns this module on PostgreSQL and
``promocodes.portable`` elsewhere (the SQLite demo); both offer the same functions:

``insert_codes(fields, rows) -> {code: id}``
    Insert ``(code, email, name)`` rows sharing ``fields``, skipping codes already taken in
    the site (whatever the case); returns the codes inserted.
``link_sessions(code_ids, session_ids)``
    Link every code to every session.
``expire_due(at, latest_due) -> {site_id: count}``
    Mark Expired the active codes whose expiration day is over in their site's time zone.
``contains_filter(site, codes, text)``
    Code, recipient name or e-mail contains ``text`` (stripped, not empty), whatever the case.
``add_to_search(codes) -> int``
    Copy these codes into the search table (those not there yet); how many were copied.
``csv_blocks(site, codes)``
    The CSV rows of the report (no header), as UTF-8 blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Upper
from django.utils.translation import gettext as _

from sites.csv import FORMULA_TRIGGERS
from sites.models import Service, Session, Site

from .csv_cells import kind_labels, status_labels
from .models import (
    SEARCH_SEPARATOR,
    AppliesTo,
    CreationBatch,
    PromoCode,
    PromoCodeSearch,
    PromoCodeSession,
    Status,
)

TABLE = PromoCode._meta.db_table
BLOCK_BYTES = 64 * 1024

# --- Creation ----------------------------------------------------------------------------


def insert_codes(fields: dict, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """One ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`` for the chunk.

    The unique index on ``(site, UPPER(code))`` skips the codes already taken (by earlier
    codes or a concurrent insert) as it inserts: no lookup before the INSERT. Measured at
    1,000,000 codes, a separate lookup of the chunk's codes cost more than half an INSERT,
    and a plain INSERT saves little over ``ON CONFLICT``. Collisions are rare (8 symbols
    among a million codes: about 4 in 100,000) and drawn again by the caller.
    """
    return _insert_unnest(fields, rows, on_conflict="ON CONFLICT DO NOTHING")


_INSERT_COLUMNS = (
    "site_id",
    "service",
    "max_uses",
    "uses",
    "discount_type",
    "discount_value",
    "expires_on",
    "status",
    "applies_to",
    "kind",
    "batch_id",
    "created_at",
    "created_by_id",
)


def _insert_unnest(fields: dict, rows, on_conflict: str) -> dict[str, int]:
    constants = ", ".join(f"%({name})s" for name in _INSERT_COLUMNS)
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(_INSERT_COLUMNS)}, code, recipient_email, "  # noqa: S608
        f"recipient_name) SELECT {constants}, t.code, t.email, t.name "
        "FROM unnest(%(codes)s::varchar[], %(emails)s::varchar[], %(names)s::varchar[]) "
        f"AS t(code, email, name) {on_conflict} RETURNING code, id"
    )
    params = {name: fields[name] for name in _INSERT_COLUMNS}
    params["codes"] = [r[0] for r in rows]
    params["emails"] = [r[1] for r in rows]
    params["names"] = [r[2] for r in rows]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def link_sessions(code_ids: list[int], session_ids: list[int]) -> None:
    """One ``INSERT … SELECT`` of the cross product of codes and sessions."""
    table = PromoCodeSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (promo_code_id, session_id) "  # noqa: S608 - our table name
            "SELECT c, s FROM unnest(%s::bigint[]) AS c CROSS JOIN unnest(%s::bigint[]) AS s",
            [code_ids, session_ids],
        )


# --- Expiry ------------------------------------------------------------------------------


def expire_due(at: datetime, latest_due: date) -> dict[int, int]:
    """One set-based UPDATE joined with the sites' time zones.

    One pass over the table: no index is keyed on status or expiry (see the report index of
    ``PromoCode``), so that this UPDATE and the bulk actions write into three indexes, not
    four.
    """
    site_table = Site._meta.db_table
    sql = (
        f"WITH expired AS (UPDATE {TABLE} AS p SET status = %(expired)s "  # noqa: S608 - our tables
        f"FROM {site_table} AS s WHERE p.site_id = s.id AND p.status = %(active)s "
        "AND p.service = ANY(%(services)s) AND p.expires_on < %(latest_due)s "
        "AND p.expires_on < (%(at)s::timestamptz AT TIME ZONE s.time_zone)::date "
        "RETURNING p.site_id) SELECT site_id, count(*) FROM expired GROUP BY site_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "expired": Status.EXPIRED,
                "active": Status.ACTIVE,
                "services": list(Service.values),
                "latest_due": latest_due,
                "at": at,
            },
        )
        return dict(cursor.fetchall())


# --- Report search -----------------------------------------------------------------------


def search_text():
    """A code's searchable text, as the search table holds it (migrations 0005, 0012)."""
    separator = Value(SEARCH_SEPARATOR)
    text = Concat(
        "code", separator, "recipient_name", separator, "recipient_email", output_field=TextField()
    )
    return Upper(text, output_field=TextField())


def contains_filter(site: Site, codes: QuerySet[PromoCode], text: str) -> QuerySet[PromoCode]:
    """An EXISTS on the trigram-indexed search table (``PromoCodeSearch``), and the codes of
    the site's batches not in it yet (``CreationBatch.search_indexed``) searched directly.

    The planner probes the search table per row of an ordered scan for common terms, or
    starts from the trigram index for rare ones. A batch's codes are copied into the search
    table by the worker once it is finished (``promocodes.search_index``); until then (a few
    seconds after a large creation, or while it runs) they are matched on their own columns,
    within the batch's time window of the report index: one query more, for the batches.
    """
    needle = text.upper()
    pending = list(
        CreationBatch.objects.for_site(site)
        .filter(search_indexed=False)
        .values_list("pk", "service", "created_at")
    )
    indexed = PromoCodeSearch.objects.filter(text__contains=needle)
    if not pending:
        return codes.filter(Exists(indexed.filter(promo_code=OuterRef("pk"))))
    fresh = [
        PromoCode.objects.filter(
            site=site, service=service, created_at__gte=created_at, batch_id=batch_id
        )
        .alias(text=search_text())
        .filter(text__contains=needle)
        .values("pk")
        for batch_id, service, created_at in pending
    ]
    return codes.filter(pk__in=indexed.values("promo_code_id").union(*fresh, all=True))


def add_to_search(codes: QuerySet[PromoCode]) -> int:
    """One ``INSERT … SELECT`` of the codes' search text; codes already there are left."""
    query = codes.order_by().annotate(text=search_text()).values_list("pk", "text")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PromoCodeSearch._meta.db_table} (promo_code_id, text) {sql} "
            "ON CONFLICT (promo_code_id) DO NOTHING",
            params,
        )
        return cursor.rowcount


# --- CSV export: COPY --------------------------------------------------------------------


def _col(name: str) -> str:
    return f'"{TABLE}"."{name}"'


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
    kinds_sql, kinds_params = _labels_sql(_col("kind"), kind_labels())
    status_sql, status_params = _labels_sql(_col("status"), status_labels())
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


def csv_blocks(site: Site, codes: QuerySet[PromoCode]) -> Iterator[bytes]:
    """``COPY (SELECT …) TO STDOUT (FORMAT csv)`` of the report's own filtered queryset
    (compiled by Django, wrapped in COPY), passed on in 64 KB blocks with flat memory.

    Without JIT (``SET LOCAL jit = off``, in a transaction of its own): the session titles'
    subplan, run only for codes limited to chosen sessions, is estimated once per row and
    made the whole statement look costly enough to compile (about 0.4 s at 1,000,000 rows).
    """
    try:
        sql, params = copy_queryset(site, codes).query.sql_with_params()
    except EmptyResultSet:
        return
    # psycopg binds COPY's parameters on the client side.
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield from _copy_blocks(cursor, statement, params)


def _copy_blocks(cursor, statement: str, params) -> Iterator[bytes]:
    block = bytearray()
    with cursor.cursor.copy(statement, params) as copy:
        for data in copy:
            block += data
            if len(block) >= BLOCK_BYTES:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)

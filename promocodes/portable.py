"""The same functions as ``promocodes.pg`` for other databases (the SQLite demo).

``promocodes.dialect.current()`` picks this module off PostgreSQL; see ``pg`` for the
contract of each function. Plain ORM, a few statements per call, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sites.csv import CSV_DATE, CSV_DATETIME, blocks, safe_cell
from sites.models import Site

from .csv_cells import CSV_LINE_END, format_discount, kind_labels, status_labels
from .models import AppliesTo, PromoCode, PromoCodeSession, Status

BATCH_SIZE = 500
CHUNK_ROWS = 5000

# --- Creation ----------------------------------------------------------------------------


def insert_codes(fields: dict, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """``bulk_create(ignore_conflicts=True)``, then the inserted codes read back by batch."""
    objs = [
        PromoCode(code=code, recipient_email=email, recipient_name=name, **fields)
        for code, email, name in rows
    ]
    PromoCode.objects.bulk_create(objs, ignore_conflicts=True, batch_size=BATCH_SIZE)
    inserted: dict[str, int] = {}
    codes = [code for code, _e, _n in rows]
    for start in range(0, len(codes), BATCH_SIZE):
        inserted.update(
            PromoCode.objects.filter(
                batch_id=fields["batch_id"], code__in=codes[start : start + BATCH_SIZE]
            ).values_list("code", "pk")
        )
    return inserted


def link_sessions(code_ids: list[int], session_ids: list[int]) -> None:
    PromoCodeSession.objects.bulk_create(
        (PromoCodeSession(promo_code_id=c, session_id=s) for c in code_ids for s in session_ids),
        batch_size=BATCH_SIZE,
    )


# --- Expiry ------------------------------------------------------------------------------


def expire_due(at: datetime, latest_due: date) -> dict[int, int]:
    """One UPDATE per site that has candidates."""
    counts = {}
    candidate_sites = Site.objects.filter(
        pk__in=PromoCode.objects.filter(status=Status.ACTIVE, expires_on__lt=latest_due).values(
            "site_id"
        )
    )
    for site in candidate_sites:
        count = (
            PromoCode.objects.for_site(site)
            .filter(status=Status.ACTIVE, expires_on__lt=site.today(at))
            .update(status=Status.EXPIRED)
        )
        if count:
            counts[site.pk] = count
    return counts


# --- Report search -----------------------------------------------------------------------


def contains_filter(site: Site, codes: QuerySet[PromoCode], text: str) -> QuerySet[PromoCode]:
    """``icontains`` on the three columns (there is no search table to wait for)."""
    return codes.filter(
        Q(code__icontains=text)
        | Q(recipient_name__icontains=text)
        | Q(recipient_email__icontains=text)
    )


def add_to_search(codes: QuerySet[PromoCode]) -> int:
    """Nothing to copy: other databases search the codes' own columns."""
    return 0


# --- CSV export: a server-side iterator, formatted in Python -------------------------------

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
    statuses = status_labels()
    kinds = kind_labels()
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
                applicable = kinds.get(kind, kind)
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
                created_at.astimezone(tz).strftime(CSV_DATETIME),
                expires_on.strftime(CSV_DATE),
                statuses.get(status, status),
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


def csv_blocks(site: Site, codes: QuerySet[PromoCode]) -> Iterator[bytes]:
    """The rows of ``export_rows`` written as CSV, 1,000 lines per block."""
    return blocks(export_rows(site, codes), lines=1000, lineterminator=CSV_LINE_END)

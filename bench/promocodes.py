"""Promotional codes at a million: each operation timed beside its SQL floor.

Run through ``manage.py bench`` (which points Django at the benchmark database).
Each operation is timed twice: the product's own code path (view through the Django test
client, or the Celery task body) and the plain SQL that does the same work on the same data
("floor"). The ratio says how far the product is from the database's own speed. The data set
is ``bench.promocodes_data``; the timing, the floor comparison and the table are
``bench.harness``.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import psutil
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from promocodes import codegen, creation, expiry, selectors
from promocodes.models import CreationBatch, PromoCode
from promocodes.params import CreationParams
from sites.date_display import format_date
from sites.models import Revision, Site

from .harness import QueryCounter, Result, client_for, median_of, probe, run_steps, sql, timed
from .promocodes_data import TABLE, build, vacuum

# --- Operations ----------------------------------------------------------------------------

# The report's plain SQL: one page of rows (the first, after a cursor, or filtered) and the
# bounded count the report shows beside it.
PAGE_FLOOR = {
    "first": (
        f"SELECT * FROM {TABLE} WHERE site_id = %(site)s AND service = 'events' "
        "ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "after": (
        f"SELECT * FROM {TABLE} WHERE site_id = %(site)s AND service = 'events' "
        "AND (created_at, id) < (%(c)s, %(i)s) ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "contains": (
        f"SELECT * FROM {TABLE} WHERE site_id = %(site)s AND service = 'events' "
        "AND status = 'active' AND EXISTS (SELECT 1 FROM promocodes_search s "
        "WHERE s.promo_code_id = id AND s.text LIKE '%%USER12345%%') "
        "ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
}
COUNT_FLOOR = (
    f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE site_id = %(site)s "
    "AND service = 'events' LIMIT 10001) s"
)


@dataclass(frozen=True)
class Row:
    """A row of the report's list (``events``, newest first) at ``depth`` rows down."""

    depth: int
    created_at: datetime
    pk: int

    @property
    def cursor(self) -> str:
        """The ``after`` cursor of the page that starts just below this row."""
        return selectors.encode_cursor(PromoCode(created_at=self.created_at, pk=self.pk))


def row_at(site: Site, depth: int) -> Row:
    created_at, pk = sql(
        f"SELECT created_at, id FROM {TABLE} WHERE site_id = %s AND service = 'events' "
        "ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
        [site.pk, depth],
        fetch=True,
    )[0]
    return Row(depth, created_at, pk)


def deep_row(site: Site) -> Row:
    """Nine tenths of the way down: the deep page of the report starts just below it."""
    return row_at(site, PromoCode.objects.for_site(site).count() * 9 // 10)


def page_floor(site: Site, kind: str = "first", after: Row | None = None) -> Callable[[], None]:
    """The plain SQL of one report page (``PAGE_FLOOR[kind]``) and of its count."""
    values = {"site": site.pk}
    if after is not None:
        values.update(c=after.created_at, i=after.pk)

    def floor():
        sql(PAGE_FLOOR[kind], values, fetch=True)
        sql(COUNT_FLOOR, values, fetch=True)

    return floor


def bench_report(site: Site, user) -> list[Result]:
    client = client_for(user)
    url = reverse("promocode-report", args=[site.slug, "events"])
    deep = deep_row(site)
    cases = [
        ("Report, first page", {}, "first"),
        (f"Report, deep page (row {deep.depth:,})", {"after": deep.cursor}, "after"),
        ("Report, status + contains filter", {"status": "active", "q": "user12345"}, "contains"),
    ]
    results = []
    for label, params, kind in cases:
        response, queries = probe(client, url, params)
        assert response.status_code == 200, response.status_code
        rows = response.content.count(b'name="ids"')
        ours = median_of(lambda params=params: client.get(url, params))
        results.append(
            Result(
                label,
                ours,
                median_of(page_floor(site, kind, deep)),
                "≤ 100 ms",
                f"{queries} queries, {rows} rows shown",
            )
        )
    return results


def bench_generate(site: Site, user, count: int) -> Result:
    params = CreationParams(
        service="events",
        discount_type="percent",
        discount_value=Decimal("15"),
        expires_on=timezone.localdate() + timedelta(days=90),
        code_length=8,
        quantity=count,
        max_uses=1,
    ).to_json()
    batch = CreationBatch.objects.create(
        site=site, service="events", created_by=user, total=count, params=params
    )
    vacuum()
    ours, done = timed(lambda: creation.generate_batch_codes(batch.pk))
    assert done.done == count and PromoCode.objects.filter(batch=batch).count() == count
    sql(f"DELETE FROM {TABLE} WHERE batch_id = %s", [batch.pk])
    batch.delete()
    vacuum()

    def floor():
        with transaction.atomic():
            sql(
                f"""
                INSERT INTO {TABLE} (site_id, service, code, recipient_name, recipient_email,
                    max_uses, uses, discount_type, discount_value, expires_on, status,
                    applies_to, kind, created_at)
                SELECT %(site)s, 'events', c.code, '', '', 1, 0, 'percent', 15,
                    current_date + 90, 'active', 'all', '', now()
                FROM generate_series(1, %(n)s) AS g(i),
                LATERAL (SELECT string_agg(substr(%(alphabet)s,
                    1 + floor(random() * %(size)s)::int, 1), '') AS code
                    FROM generate_series(1, 8) WHERE g.i > 0) AS c
                ON CONFLICT DO NOTHING
                """,
                {
                    "site": site.pk,
                    "n": count,
                    "alphabet": codegen.ALPHABET,
                    "size": len(codegen.ALPHABET),
                },
            )

    floor_time, _ = timed(floor)
    sql(
        f"DELETE FROM {TABLE} WHERE site_id = %s AND batch_id IS NULL AND discount_value = 15",
        [site.pk],
    )
    vacuum()
    return Result(
        f"Generate {count:,} codes (task body)",
        ours,
        floor_time,
        "≤ 5 s",
        "unique-index lookup + one INSERT … SELECT FROM unnest(…) per 10,000",
    )


def _make_due(site: Site, count: int) -> list[int]:
    """``count`` active codes whose expiration day is over (in the site's time zone)."""
    ids = [
        row[0]
        for row in sql(
            f"SELECT id FROM {TABLE} WHERE site_id = %s AND status IN ('active', 'expired') "
            "AND batch_id IS NULL ORDER BY id LIMIT %s",
            [site.pk, count],
            fetch=True,
        )
    ]
    yesterday = site.today() - timedelta(days=1)
    sql(
        f"UPDATE {TABLE} SET status = 'active', expires_on = %s WHERE id = ANY(%s)",
        [yesterday, ids],
    )
    vacuum()
    return ids


def _restore(ids: list[int]) -> None:
    sql(
        f"UPDATE {TABLE} SET status = 'active', expires_on = current_date + 30 WHERE id = ANY(%s)",
        [ids],
    )
    vacuum()


def bench_sweep(site: Site, count: int) -> Result:
    ids = _make_due(site, count)
    ours, counts = timed(expiry.expire_due_codes)
    assert counts.get(site.pk) == count, counts
    _restore(ids)
    ids = _make_due(site, count)
    floor_time, updated = timed(
        lambda: sql(
            f"UPDATE {TABLE} SET status = 'expired' WHERE status = 'active' "
            "AND expires_on < (now() AT TIME ZONE 'America/New_York')::date"
        )
    )
    assert updated == count, updated
    _restore(ids)
    Revision.objects.for_site(site).filter(area="promocodes.expiry").delete()
    return Result(
        f"Expiry sweep, {count:,} due codes",
        ours,
        floor_time,
        "≤ 2 s",
        "one UPDATE … FROM sites (site time zone) + one revision per site",
    )


def bench_bulk_actions(site: Site, user, batch: CreationBatch) -> list[Result]:
    client = client_for(user)
    url = reverse("promocode-action", args=[site.slug, "events"])
    filters = f"service=events&batch={batch.pk}"
    selected = PromoCode.objects.filter(batch=batch)
    live = selected.exclude(status="deleted").count()
    until = site.today() + timedelta(days=365)
    snapshot = sql(
        f"SELECT id, status, expires_on FROM {TABLE} WHERE batch_id = %s", [batch.pk], fetch=True
    )

    def restore():
        sql(
            f"UPDATE {TABLE} AS p SET status = s.status, expires_on = s.expires_on "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::date[]) AS s(id, status, expires_on) "
            "WHERE p.id = s.id",
            [[r[0] for r in snapshot], [r[1] for r in snapshot], [r[2] for r in snapshot]],
        )
        vacuum()

    results = []
    vacuum()
    post = {
        "action": "extend",
        "scope": "all",
        "until": format_date(until),  # typed as the form reads it
        "filters": filters,
    }
    with QueryCounter() as queries:
        ours, response = timed(lambda: client.post(url, post))
    assert response.status_code == 302, response.status_code
    assert PromoCode.objects.filter(batch=batch, expires_on=until).count() == live
    restore()
    floor_time, _ = timed(
        lambda: sql(
            f"UPDATE {TABLE} SET expires_on = %s, status = CASE WHEN status = 'expired' "
            "THEN 'active' ELSE status END WHERE site_id = %s AND service = 'events' "
            "AND created_at BETWEEN %s AND %s AND batch_id = %s AND status <> 'deleted'",
            [until, site.pk, batch.created_at, batch.finished_at, batch.pk],
        )
    )
    restore()
    results.append(
        Result(
            f"Extend {len(snapshot):,} selected codes (one request)",
            ours,
            floor_time,
            "≤ 2 s",
            f"{len(queries)} queries, {len(snapshot) - live:,} deleted skipped",
        )
    )
    with QueryCounter() as queries:
        ours, response = timed(
            lambda: client.post(url, {"action": "delete", "scope": "all", "filters": filters})
        )
    assert response.status_code == 302
    assert PromoCode.objects.filter(batch=batch).exclude(status="deleted").count() == 0
    restore()
    floor_time, _ = timed(
        lambda: sql(
            f"UPDATE {TABLE} SET status = 'deleted' WHERE site_id = %s AND service = 'events' "
            "AND created_at BETWEEN %s AND %s AND batch_id = %s AND status <> 'deleted'",
            [site.pk, batch.created_at, batch.finished_at, batch.pk],
        )
    )
    restore()
    Revision.objects.for_site(site).filter(
        area__in=["promocodes.extend", "promocodes.delete"]
    ).delete()
    results.append(
        Result(
            f"Delete {len(snapshot):,} selected codes (one request)",
            ours,
            floor_time,
            "≤ 2 s",
            f"{len(queries)} queries",
        )
    )
    return results


def bench_export(site: Site, user) -> Result:
    client = client_for(user)
    url = reverse("promocode-csv", args=[site.slug, "events"])
    process = psutil.Process()

    def export(trace: bool = False):
        gc.collect()
        rss_start = process.memory_info().rss
        rss_peak = rss_start
        if trace:
            tracemalloc.start()
        size = lines = 0
        response = client.get(url)
        for number, chunk in enumerate(response.streaming_content, start=1):
            size += len(chunk)
            lines += chunk.count(b"\n")
            if number % 50 == 0:
                rss_peak = max(rss_peak, process.memory_info().rss)
        response.close()
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        return size, lines, rss_peak - rss_start, peak

    ours, (size, lines, rss_growth, _) = timed(export)
    _, (_, _, _, traced_peak) = timed(lambda: export(trace=True))
    rows = PromoCode.objects.for_site(site).filter(service="events").count()
    assert lines == rows + 1, (lines, rows)

    def floor():
        total = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY (SELECT code, recipient_name, recipient_email, discount_type, "
                f"discount_value, applies_to, kind, uses, max_uses, "
                f"to_char(created_at AT TIME ZONE 'America/New_York', 'DD/MM/YYYY HH24:MI'), "
                f"to_char(expires_on, 'DD/MM/YYYY'), status FROM {TABLE} "
                f"WHERE site_id = {int(site.pk)} AND service = 'events' "
                "ORDER BY created_at DESC, id DESC) TO STDOUT WITH (FORMAT csv)"
            ) as copy,
        ):
            for data in copy:
                total += len(data)
        return total

    floor_time, _ = timed(floor)
    return Result(
        f"Export CSV, {rows:,} rows (streamed)",
        ours,
        floor_time,
        "flat memory",
        f"{size / 1e6:.0f} MB sent; peak Python heap {traced_peak / 1e6:.1f} MB (tracemalloc), "
        f"RSS growth {rss_growth / 1e6:.1f} MB",
    )


def run(
    *,
    total: int,
    generate: int,
    sweep: int,
    log: Callable[[str], None],
    skip: set[str] = frozenset(),
) -> list[Result]:
    assert connection.vendor == "postgresql", "the benchmark needs PostgreSQL"
    site, user, batch = build(total, log)
    results: list[Result] = []
    steps = [
        ("report", lambda: results.extend(bench_report(site, user))),
        ("generate", lambda: results.append(bench_generate(site, user, generate))),
        ("sweep", lambda: results.append(bench_sweep(site, sweep))),
        ("bulk", lambda: results.extend(bench_bulk_actions(site, user, batch))),
        ("export", lambda: results.append(bench_export(site, user))),
    ]
    return run_steps(steps, results, log=log, skip=skip)

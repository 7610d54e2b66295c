"""Promo-code operations on many codes at once, each beside its plain-SQL floors.

Generation (the Celery task body), the expiry sweep, the two bulk actions (extend, delete:
one POST each, through the Django test client) and the CSV export (streamed, its memory
watched). Each runs ``WRITE_RUNS`` times in turns with the same work in plain SQL on the
minimal schema (``bench.floor_schema``, "floor") and on the product's own table ("table
floor"), every run from the same starting line (``vacuum``); the result is within
``WRITE_TARGET`` times the floor. The export writes nothing but is one whole-table operation
timed the same way.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import psutil
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from promocodes import codegen, creation, expiry, search_index
from promocodes.models import CreationBatch, PromoCode
from promocodes.params import CreationParams
from sites.date_display import format_date
from sites.models import Revision, Site

from .floor_schema import FLOOR_TABLE
from .harness import (
    QueryCounter,
    Result,
    Timing,
    Variant,
    client_for,
    rounds,
    sample_each,
    spreads,
    sql,
    timed,
)
from .harness import vacuum as vacuum_tables
from .promocodes_data import TABLE

WRITE_RUNS = 3
WRITE_TARGET = 1.2


def vacuum() -> None:
    """Same starting line for every timed write, on both schemas."""
    vacuum_tables(TABLE, "promocodes_search", FLOOR_TABLE)


def write_result(
    operation: str, times: dict, target_note: str, notes: str = "", limit: float = WRITE_TARGET
) -> Result:
    """A write's medians: ``times`` has ``ours``, ``floor`` (minimal) and ``table``."""
    return Result(
        operation,
        times["ours"].median,
        times["floor"].median,
        f"≤ {limit}× floor",
        "; ".join(filter(None, [notes, target_note, spreads(times)])),
        table_floor=times["table"].median,
        limit=limit,
    )


def time_write(ours: Variant, floor: Callable[[str], Variant]) -> dict:
    """``ours`` and ``floor(table)`` on the minimal schema and on the product's table, timed
    ``WRITE_RUNS`` times in turns (keys ``ours``, ``floor``, ``table``, as ``write_result``
    reads them)."""
    return rounds({"ours": ours, "floor": floor(FLOOR_TABLE), "table": floor(TABLE)}, WRITE_RUNS)


GENERATE_SQL = """
    INSERT INTO {t} (site_id, service, code, recipient_name, recipient_email,
        max_uses, uses, discount_type, discount_value, expires_on, status,
        applies_to, kind, batch_id, created_at)
    SELECT %(site)s, 'events', c.code, '', '', 1, 0, 'percent', 15,
        current_date + 90, 'active', 'all', '', %(batch)s, now()
    FROM generate_series(1, %(n)s) AS g(i),
    LATERAL (SELECT string_agg(substr(%(alphabet)s,
        1 + floor(random() * %(size)s)::int, 1), '') AS code
        FROM generate_series(1, 8) WHERE g.i > 0) AS c
    ON CONFLICT DO NOTHING
"""


# The floor's rows carry a batch id of no batch (so that the product's table treats them as
# generated codes, and they are found again to be deleted).
FLOOR_BATCH = -1


def bench_generate(site: Site, user, count: int) -> list[Result]:
    """Generation (the Celery task body) beside the floor's one INSERT; then, apart, the
    search indexing the worker does right after it (off the creation path: the minimal
    floor has no search table, so that row has no floor, and its note gives the sum)."""
    params = CreationParams(
        service="events",
        discount_type="percent",
        discount_value=Decimal("15"),
        expires_on=timezone.localdate() + timedelta(days=90),
        code_length=8,
        quantity=count,
        max_uses=1,
    ).to_json()
    batches: list[CreationBatch] = []
    indexing: list[float] = []

    def prepare_ours():
        batches.append(
            CreationBatch.objects.create(
                site=site, service="events", created_by=user, total=count, params=params
            )
        )
        vacuum()

    def ours():
        done = creation.generate_batch_codes(batches[-1].pk)
        assert done.done == count, done.done

    def cleanup_ours():
        batch = batches.pop()
        assert PromoCode.objects.filter(batch=batch).count() == count
        seconds, copied = timed(lambda: search_index.index_batch(batch.pk))
        assert copied == count, copied
        indexing.append(seconds)
        sql(f"DELETE FROM {TABLE} WHERE batch_id = %s", [batch.pk])
        Revision.objects.for_site(site).filter(area="promocodes.create").delete()
        batch.delete()

    def floor(table: str) -> Variant:
        values = {
            "site": site.pk,
            "n": count,
            "alphabet": codegen.ALPHABET,
            "size": len(codegen.ALPHABET),
            "batch": FLOOR_BATCH,
        }

        def run():
            with transaction.atomic():
                sql(GENERATE_SQL.format(t=table), values)

        return Variant(
            run,
            prepare=vacuum,
            cleanup=lambda: sql(f"DELETE FROM {table} WHERE batch_id = %s", [FLOOR_BATCH]),
        )

    times = time_write(Variant(ours, prepare=prepare_ours, cleanup=cleanup_ours), floor)
    vacuum()
    index = Timing(tuple(indexing))
    generated = write_result(
        f"Generate {count:,} codes (task body)",
        times,
        "≤ 5 s",
        "floor: one INSERT … SELECT … ON CONFLICT DO NOTHING; search table filled after",
    )
    total = generated.ours + index.median
    return [
        generated,
        Result(
            "… then their search index (worker, after)",
            index.median,
            None,
            "off the creation path",
            f"runs after the batch; until then search reads the batch's own rows; generate + "
            f"index {total:.1f} s = {total / generated.floor:.2f}× floor; "
            f"median of {len(indexing)}: {index.spread}",
        ),
    ]


def _due_ids(site: Site, count: int) -> list[int]:
    return [
        row[0]
        for row in sql(
            f"SELECT id FROM {TABLE} WHERE site_id = %s AND status IN ('active', 'expired') "
            "AND batch_id IS NULL ORDER BY id LIMIT %s",
            [site.pk, count],
            fetch=True,
        )
    ]


def bench_sweep(site: Site, count: int) -> Result:
    """``count`` active codes whose expiration day is over (in the site's time zone), in
    both tables, expired by the product's sweep or by the floor's one UPDATE."""
    ids = _due_ids(site, count)
    yesterday = site.today() - timedelta(days=1)

    def set_rows(status: str, expires: str, params: list):
        for table in (TABLE, FLOOR_TABLE):
            sql(
                f"UPDATE {table} SET status = %s, expires_on = {expires} WHERE id = ANY(%s)",
                [status, *params, ids],
            )

    def make_due():
        set_rows("active", "%s", [yesterday])
        vacuum()

    def restore():
        set_rows("active", "current_date + 30", [])

    def ours():
        counts = expiry.expire_due_codes()
        assert counts.get(site.pk) == count, counts

    def floor(table: str) -> Variant:
        def run():
            updated = sql(
                f"UPDATE {table} SET status = 'expired' WHERE status = 'active' "
                "AND expires_on < (now() AT TIME ZONE 'America/New_York')::date"
            )
            assert updated == count, updated

        return Variant(run, prepare=make_due, cleanup=restore)

    times = time_write(Variant(ours, prepare=make_due, cleanup=restore), floor)
    vacuum()
    Revision.objects.for_site(site).filter(area="promocodes.expiry").delete()
    return write_result(
        f"Expiry sweep, {count:,} due codes",
        times,
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
    columns = [[r[0] for r in snapshot], [r[1] for r in snapshot], [r[2] for r in snapshot]]

    def restore():
        for table in (TABLE, FLOOR_TABLE):
            sql(
                f"UPDATE {table} AS p SET status = s.status, expires_on = s.expires_on "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::date[]) "
                "AS s(id, status, expires_on) WHERE p.id = s.id",
                columns,
            )

    def prepare():
        restore()
        vacuum()

    window = (
        "WHERE site_id = %s AND service = 'events' AND created_at BETWEEN %s AND %s "
        "AND batch_id = %s AND status <> 'deleted'"
    )
    window_params = [site.pk, batch.created_at, batch.finished_at, batch.pk]
    actions = {
        "extend": (
            {"action": "extend", "scope": "all", "until": format_date(until)},
            "UPDATE {t} SET expires_on = %s, status = CASE WHEN status = 'expired' "
            f"THEN 'active' ELSE status END {window}",
            [until, *window_params],
            lambda: selected.filter(expires_on=until).count() == live,
        ),
        "delete": (
            {"action": "delete", "scope": "all"},
            f"UPDATE {{t}} SET status = 'deleted' {window}",
            window_params,
            lambda: not selected.exclude(status="deleted").exists(),
        ),
    }
    results = []
    for name, (post, statement, params, done) in actions.items():
        queries = QueryCounter()

        def ours(post=post, queries=queries):
            with queries:
                response = client.post(url, {**post, "filters": filters})
            assert response.status_code == 302, response.status_code

        def floor(table: str, statement=statement, params=params) -> Variant:
            return Variant(
                lambda: sql(statement.format(t=table), params), prepare=prepare, cleanup=restore
            )

        times = time_write(
            Variant(ours, prepare=prepare, cleanup=lambda done=done: _check(done)), floor
        )
        notes = f"{queries.count // WRITE_RUNS} queries"
        if name == "extend":
            notes += f", {len(snapshot) - live:,} deleted skipped"
        results.append(
            write_result(
                f"{name.capitalize()} {len(snapshot):,} selected codes (one request)",
                times,
                "≤ 2 s",
                notes,
            )
        )
    restore()
    vacuum()
    Revision.objects.for_site(site).filter(
        area__in=["promocodes.extend", "promocodes.delete"]
    ).delete()
    return results


def _check(done: Callable[[], bool]) -> None:
    assert done(), "the action did not change every selected code"


CSV_FLOOR = (
    "COPY (SELECT code, recipient_name, recipient_email, discount_type, "
    "discount_value, applies_to, kind, uses, max_uses, "
    "to_char(created_at AT TIME ZONE 'America/New_York', 'DD/MM/YYYY HH24:MI'), "
    "to_char(expires_on, 'DD/MM/YYYY'), status FROM {t} "
    "WHERE site_id = {site} AND service = 'events' "
    "ORDER BY created_at DESC, id DESC) TO STDOUT WITH (FORMAT csv)"
)


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

    rows = PromoCode.objects.for_site(site).filter(service="events").count()
    _, (size, lines, rss_growth, _) = timed(export)
    assert lines == rows + 1, (lines, rows)
    _, (_, _, _, traced_peak) = timed(lambda: export(trace=True))

    def floor(table: str):
        def copy():
            total = 0
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(CSV_FLOOR.format(t=table, site=int(site.pk))) as copy,
            ):
                for data in copy:
                    total += len(data)
            return total

        return copy

    times = sample_each(
        {"ours": export, "floor": floor(FLOOR_TABLE), "table": floor(TABLE)}, WRITE_RUNS
    )
    return write_result(
        f"Export CSV, {rows:,} rows (streamed)",
        times,
        "flat memory",
        f"{size / 1e6:.0f} MB sent; peak Python heap {traced_peak / 1e6:.1f} MB (tracemalloc), "
        f"RSS growth {rss_growth / 1e6:.1f} MB",
    )

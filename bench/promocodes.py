"""Promotional codes at a million: each operation timed beside its floors.

Run through ``manage.py bench`` (which points Django at the benchmark database).
Each operation is timed three ways, in turns: the product's own code path (view through the
Django test client, or the Celery task body), the plain SQL doing the same work on the
minimal schema of ``bench.floor_schema`` ("floor": primary key, unique code, report order
index, nothing else) and the same SQL on the product's own table ("table floor": with its
indexes and triggers). The table shows medians, the notes the spread. The report's pages are
``bench.promocode_report``; generation, the expiry sweep, the bulk actions and the CSV export
are ``bench.promocode_writes``. The data set is ``bench.promocodes_data``; the timing and the
table are ``bench.harness``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from . import floor_schema
from .harness import Result, run_steps
from .promocode_report import bench_report
from .promocode_writes import bench_bulk_actions, bench_export, bench_generate, bench_sweep
from .promocodes_data import build


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
    floor_schema.build(site.pk, log)
    results: list[Result] = []
    steps = [
        ("report", lambda: results.extend(bench_report(site, user))),
        ("generate", lambda: results.extend(bench_generate(site, user, generate))),
        ("sweep", lambda: results.append(bench_sweep(site, sweep))),
        ("bulk", lambda: results.extend(bench_bulk_actions(site, user, batch))),
        ("export", lambda: results.append(bench_export(site, user))),
    ]
    return run_steps(steps, results, log=log, skip=skip)

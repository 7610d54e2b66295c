"""``manage.py bench`` on a tiny data set of its own database: the report, write, export and
API and charts steps run end to end (minimal floor schema, key, cursor walk, console page,
the report pages with and without their charts) and print
their figures.

Timings on a shared machine say nothing here; what is checked is that each step answers and
reports what it measured (the minimal floor and the table floor, rows shown, queries, runs
and spreads, the console page beside the API).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# The sweep needs codes outside the bulk batch (more than 50,000); the payment step is timed
# against the simulator and asserted elsewhere.
OTHER_STEPS = ("sweep", "payment")


@pytest.fixture
def bench_database_url():
    """A benchmark database named after the test database, dropped afterwards."""
    config = settings.DATABASES["default"]
    name = f"{config['NAME']}_bench"
    user, host, port = config["USER"] or "postgres", config["HOST"] or "127.0.0.1", config["PORT"]
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    yield f"postgres://{user}{password}@{host}:{port or 5432}/{name}"
    with psycopg.connect(
        host=host,
        port=port or 5432,
        user=user,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_steps_print_the_minimal_floor_on_a_tiny_data_set(bench_database_url):
    completed = subprocess.run(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "bench",
            "--codes=2000",
            "--generate=2000",
            *(f"--skip={step}" for step in OTHER_STEPS),
        ],
        env={**os.environ, "BENCH_DATABASE_URL": bench_database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    table = completed.stdout.split("\n\n")[-1]
    lines = {line.split("  ")[0]: line for line in table.splitlines()}
    assert table.splitlines()[0].split() == [
        *("operation", "ours", "floor", "×", "floor", "table", "floor"),
        *("console", "×", "console", "target", "notes"),
    ]
    assert re.search(r"Report, deep page \(row 1,800\) .* 50 rows shown", table), table
    for operation in ("Report, first page", "Report, deep page (row 1,800)"):
        line = lines[operation]
        # ours, minimal floor, × floor, table floor, then the 20 ms target met or missed, the
        # bare Django view's floor and the Python CPU; medians of 7 in turns.
        assert re.search(
            r" ms +[\d.]+ ms +[\d.]+× +[\d.]+ ms +— +— +≤ 20 ms (met|MISSED) +\d+ queries, "
            r"50 rows shown, .*; bare view \+ the table floor's SQL [\d.]+ ms \(ours [\d.]+× it\); "
            r"Python CPU [\d.]+ ms; median of 7: ours [\d.]+ ms–[\d.]+ ms, "
            r"floor [\d.]+ ms–[\d.]+ ms, table [\d.]+ ms–[\d.]+ ms, bare view ",
            line,
        ), line
    fragment = next(line for name, line in lines.items() if name.startswith("Report, code frag"))
    assert "floor searches without an index, table floor with the trigram" in fragment
    for operation in (
        "Generate 2,000 codes (task body)",
        "Extend 2,000 selected codes (one request)",
        "Delete 2,000 selected codes (one request)",
        "Export CSV, 2,000 rows (streamed)",
    ):
        # ours, minimal floor, × floor, table floor; the target ratio met or missed; medians
        # of 3 runs in turns with their spreads.
        assert re.search(
            r" ms +[\d.]+ ms +[\d.]+× +[\d.]+ ms +— +— +≤ 1\.2× floor (met|MISSED) .*"
            r"median of 3: ours [\d.]+ ms–[\d.]+ ms, floor [\d.]+ ms–[\d.]+ ms, table ",
            lines[operation],
        ), lines[operation]
    for operation in ("API list, first page", "API list, deep page (row 1,800)"):
        line = lines[operation]
        # ours, floor, × floor, table floor, console, × console, then the target and notes.
        assert re.search(
            r" ms +[\d.]+ ms +[\d.]+× +[\d.]+ ms +[\d.]+ ms +[\d.]+×  ≤ 1\.5× console +"
            r"(met|MISSED); \d+ queries, 50 rows; median of 9",
            line,
        ), line
    # The charts step: each report page as it comes and with charts=1, beside its floor.
    # 100,000 payments are over the charts' limit (20,000), the tiny set of codes under it.
    pages = {
        "Transactions report page (100,000 payments), default": "no charts (over 20,000 rows)",
        "Transactions report page (100,000 payments), charts=1": "charts drawn",
        "Promo report page (2,000 codes), default": "charts drawn",
        "Promo report page (2,000 codes), charts=1": "charts drawn",
    }
    for operation, what in pages.items():
        assert re.search(
            rf" ms +[\d.]+ ms +[\d.]+× .*≤ 20 ms (met|MISSED) +{re.escape(what)}; \d+ queries; "
            r"Python CPU [\d.]+ ms; floor: bare view",
            lines[operation],
        ), lines[operation]
    for step in OTHER_STEPS:
        assert f"· {step} …" not in completed.stdout

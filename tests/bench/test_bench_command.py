"""``manage.py bench`` on a tiny data set of its own database: the report and API steps run
end to end (key, cursor walk, console page, floor) and print their figures.

Timings on a shared machine say nothing here; what is checked is that each step answers and
reports what it measured (rows shown, queries, the console page beside the API).
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
OTHER_STEPS = ("generate", "sweep", "bulk", "export", "payment")


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


def test_report_and_api_steps_run_on_a_tiny_data_set(bench_database_url):
    completed = subprocess.run(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "bench",
            "--codes=2000",
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
    assert re.search(r"Report, deep page \(row 1,800\) .* 50 rows shown", table), table
    for operation in ("API list, first page", "API list, deep page (row 1,800)"):
        line = lines[operation]
        # ours, SQL floor, × floor, console, × console, then the target and the notes.
        assert re.search(
            r" ms +[\d.]+ ms +[\d.]+× +[\d.]+ ms +[\d.]+×  ≤ 1\.5× console +(met|MISSED); "
            r"\d+ queries, 50 rows; median of 9",
            line,
        ), line
    for step in OTHER_STEPS:
        assert f"· {step} …" not in completed.stdout

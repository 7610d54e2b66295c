"""``manage.py bench_load`` on a tiny bounded round (2 users, 2 seconds): gunicorn, the
simulator and Locust start on 127.0.0.1, every line of the table is measured and printed, and
the targets are checked. Timings on a shared machine say nothing here."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from bench.load import LINES

from .test_bench_command import ROOT, bench_database_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("threads", [1, 2], ids=["sync workers", "threaded workers"])
def test_the_load_bench_prints_every_line_and_the_targets(bench_database_url, threads):  # noqa: F811
    completed = subprocess.run(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "bench_load",
            "--users=2",
            "--seconds=2",
            f"--threads={threads}",
        ],
        env={
            **os.environ,
            "BENCH_LOAD_DATABASE_URL": bench_database_url,
            "BENCH_LOAD_CACHE_URL": settings.CACHES["default"]["LOCATION"],
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    workers = "3 sync workers" if threads == 1 else f"3 workers × {threads} threads"
    assert f"gunicorn {workers}," in completed.stdout
    for label, _, _ in LINES:
        assert re.search(
            rf"^{re.escape(label)} +2 +[\d.]+/s +\d+ ms +\d+ ms +[1-9]\d* +0$",  # none failed
            completed.stdout,
            re.M,
        ), completed.stdout
    assert len(re.findall(r"^  2 users  .* (met|MISSED) ", completed.stdout, re.M)) == 3

"""The benchmark harness: timing, the plain-SQL floor beside each figure, and the table.

A benchmark module builds its data, times the product's own code path with ``timed`` /
``median_of``, times the floor (the plain SQL or bare call doing the same work) the same way,
and returns :class:`Result` rows; ``run_steps`` runs named steps and logs each figure;
``format_table`` prints them all.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.test import Client


@dataclass
class Result:
    """One figure: the product's time (``ours``) beside its floor's, in seconds."""

    operation: str
    ours: float
    floor: float | None
    target: str = ""
    notes: str = ""

    @property
    def ratio(self) -> str:
        if not self.floor:
            return "—"
        return f"{self.ours / self.floor:.1f}×"


class QueryCounter:
    """Counts the SQL statements run on the default connection inside the block."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    return min(timed(fn)[0] for _ in range(runs))


def median_of(fn: Callable[[], object], runs: int = 7) -> float:
    return statistics.median(timed(fn)[0] for _ in range(runs))


def sql(statement: str, params=None, fetch: bool = False):
    """Run one statement: its rows when ``fetch``, else its row count."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if fetch else cursor.rowcount


def vacuum(*tables: str) -> None:
    """Same starting line for every timed write: no dead rows, fresh statistics, and a
    checkpoint (else whichever runs first pays the full-page writes for both)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")


def client_for(user) -> Client:
    """A test client logged in as ``user`` (the product's views, without a server)."""
    client = Client()
    client.force_login(user)
    return client


def run_steps(
    steps: Iterable[tuple[str, Callable[[], None]]],
    results: list[Result],
    *,
    log: Callable[[str], None],
    skip: set[str] = frozenset(),
) -> list[Result]:
    """Run each named step not in ``skip`` (it appends to ``results``), logging its figure."""
    for name, step in steps:
        if name in skip:
            continue
        log(f"· {name} …")
        step()
        log("  " + format_result(results[-1]))
    return results


def format_result(result: Result) -> str:
    floor = _ms(result.floor) if result.floor else "—"
    return (
        f"{result.operation:<45} {_ms(result.ours):>10} {floor:>10} {result.ratio:>7}  "
        f"{result.target:<12} {result.notes}"
    )


def format_table(results: list[Result]) -> str:
    header = f"{'operation':<45} {'ours':>10} {'SQL floor':>10} {'ratio':>7}  {'target':<12} notes"
    return "\n".join([header, "-" * len(header), *(format_result(r) for r in results)])

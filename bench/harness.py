"""The benchmark harness: timing, the plain-SQL floor beside each figure, and the table.

A benchmark module builds its data, times the product's own code path and its floor (the
plain SQL or bare call doing the same work) in turns with ``sample_each`` (or ``rounds`` for
writes that need their data reset before each run), and returns :class:`Result` rows with
the medians; ``run_steps`` runs named steps and logs each figure; ``format_table`` prints
them all.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory


@dataclass
class Result:
    """One figure: the product's time (``ours``) beside its floor's, in seconds.

    ``floor``: the minimal floor (for promo codes, the same statement on the minimal schema of
    ``bench.floor_schema``); ``table_floor``: the same statement on the product's own table,
    with its indexes and triggers. ``limit``: the target as a ratio to ``floor``, printed as
    met or MISSED. ``console``: for a figure of another way in to the same work (the REST
    API), the console page's time measured alongside it; ``console_ratio`` is what its
    target is checked on.
    """

    operation: str
    ours: float
    floor: float | None
    target: str = ""
    notes: str = ""
    console: float | None = None
    table_floor: float | None = None
    limit: float | None = None
    ceiling: float | None = None  # an absolute target (seconds), e.g. 0.020 for a page

    @property
    def met(self) -> str:
        if self.ceiling is not None:
            return "met" if self.ours <= self.ceiling else "MISSED"
        if self.limit is None or not self.floor:
            return ""
        return "met" if self.ours <= self.limit * self.floor else "MISSED"

    @property
    def ratio(self) -> str:
        if not self.floor:
            return "—"
        return f"{self.ours / self.floor:.2f}×"

    @property
    def console_ratio(self) -> str:
        if not self.console:
            return "—"
        return f"{self.ours / self.console:.2f}×"


@dataclass(frozen=True)
class Timing:
    """The times of repeated runs of one operation, in seconds."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> str:
        """Fastest to slowest run, e.g. ``"41.2 ms–47.9 ms"``."""
        return f"{_ms(min(self.runs))}–{_ms(max(self.runs))}"


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


def sample(fn: Callable[[], object], runs: int = 7) -> Timing:
    return Timing(tuple(timed(fn)[0] for _ in range(runs)))


def cpu_of(fn: Callable[[], object], runs: int = 7) -> float:
    """The median CPU time of this process over ``runs`` runs of ``fn`` (seconds): for a page
    called in-process, the Python side of its time (the SQL runs in the database's process),
    much less moved than the wall-clock time by other load on the machine."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def median_of(fn: Callable[[], object], runs: int = 7) -> float:
    return sample(fn, runs).median


def sample_each(fns: dict[str, Callable[[], object]], runs: int = 7) -> dict[str, Timing]:
    """Each operation ``runs`` times, taking turns (one run of each per round), so that two
    figures meant to be compared meet the same load on a shared machine."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            times[name].append(timed(fn)[0])
    return {name: Timing(tuple(values)) for name, values in times.items()}


@dataclass(frozen=True)
class Variant:
    """One way of doing a write: ``prepare`` (untimed: set the data up), ``run`` (timed),
    ``cleanup`` (untimed: put the data back)."""

    run: Callable[[], object]
    prepare: Callable[[], object] = lambda: None
    cleanup: Callable[[], object] = lambda: None


def rounds(variants: dict[str, Variant], runs: int = 3) -> dict[str, Timing]:
    """Each variant ``runs`` times, taking turns like ``sample_each``, each run between its
    own ``prepare`` and ``cleanup``."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, variant in variants.items():
            variant.prepare()
            times[name].append(timed(variant.run)[0])
            variant.cleanup()
    return {name: Timing(tuple(values)) for name, values in times.items()}


def spreads(times: dict[str, Timing]) -> str:
    """``"median of 3: ours 1.2 s–1.4 s, floor …"`` for a result's notes."""
    runs = len(next(iter(times.values())).runs)
    return f"median of {runs}: " + ", ".join(f"{n} {t.spread}" for n, t in times.items())


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


def bare_view(work: Callable[[], object]) -> Callable[[], HttpResponse]:
    """A bare Django view doing ``work`` (e.g. a page's plain SQL) and answering a tiny page,
    called with a request of its own (no middleware, no session, no template): the floor a
    console page is compared with."""
    request = RequestFactory().get("/")

    def view(request):
        return HttpResponse(f"<html><body>{work()!r}</body></html>")

    return lambda: view(request)


def client_for(user) -> Client:
    """A test client logged in as ``user`` (the product's views, without a server)."""
    client = Client()
    client.force_login(user)
    return client


def probe(client: Client, url: str, params=None) -> tuple[HttpResponse, int]:
    """GET ``url`` once to warm it, then once more counting its queries: ``(response,
    queries)``."""
    client.get(url, params)
    with QueryCounter() as queries:
        response = client.get(url, params)
    return response, len(queries)


def run_steps(
    steps: Iterable[tuple[str, Callable[[], None]]],
    results: list[Result],
    *,
    log: Callable[[str], None],
    skip: set[str] = frozenset(),
) -> list[Result]:
    """Run each named step not in ``skip`` (it appends to ``results``), logging its figures."""
    for name, step in steps:
        if name in skip:
            continue
        log(f"· {name} …")
        start = len(results)
        step()
        for result in results[start:]:
            log("  " + format_result(result))
    return results


def format_result(result: Result) -> str:
    floor = _ms(result.floor) if result.floor else "—"
    table_floor = _ms(result.table_floor) if result.table_floor else "—"
    console = _ms(result.console) if result.console else "—"
    target = f"{result.target} {result.met}".strip()
    return (
        f"{result.operation:<45} {_ms(result.ours):>10} {floor:>10} {result.ratio:>7} "
        f"{table_floor:>11} {console:>10} {result.console_ratio:>9}  {target:<20} "
        f"{result.notes}"
    )


def format_table(results: list[Result]) -> str:
    """The table: ``floor`` is the minimal floor (``× floor`` the ratio its target is on),
    ``table floor`` the same SQL on the product's own table."""
    header = (
        f"{'operation':<45} {'ours':>10} {'floor':>10} {'× floor':>7} {'table floor':>11} "
        f"{'console':>10} {'× console':>9}  {'target':<20} notes"
    )
    return "\n".join([header, "-" * len(header), *(format_result(r) for r in results)])

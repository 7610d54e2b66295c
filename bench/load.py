"""``make bench-load``: the payment page under load, beside two bare views, in one run.

Starts, on 127.0.0.1 only, the bundled PayPal simulator (``manage.py paypal_sandbox``) and
gunicorn (3 sync workers, ``bench.load_settings``: production's settings on plain HTTP), then
runs Locust headless for each line of the table at each concurrency, one bounded round
after the other: the bare view, the one-query view, the payment page GET, the promo-code
Apply, the full card payment (through to the simulator) and the Payflow sale alone. Prints
throughput, p50 and p99 of each, then the targets of issue 15 checked on the same run:

- page GET throughput ≥ 1/3 of the one-query view's, and its p99 ≤ 3× the view's p99;
- card payment p50 ≤ the sale alone's p50 + 2× the page GET's p50;

each at the same concurrency. Runs in the benchmark's own process (the child of
``manage.py bench_load``, whose database is the benchmark's).
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from bench.payments import SITE_SLUG
from bench.payments import build as build_payment_page
from payments.models import PayflowAccount, Payment
from promocodes.models import PromoCode

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CODE = "LOAD10"
WORKERS = 3
# (the table's label, the Locust user class, the request name it reports)
LINES = (
    ("bare view, no query", "BareView", "bare view"),
    ("bare view, one query", "OneQueryView", "one-query view"),
    ("payment page GET", "PageGet", "page GET"),
    ("promo-code Apply", "PromoApply", "promo Apply"),
    ("card payment (POST → simulator)", "CardPayment", "card payment"),
    ("Payflow sale alone", "GatewaySale", "gateway sale"),
)


@dataclass(frozen=True)
class Round:
    """One line at one concurrency: requests per second, p50 and p99 in ms, failures."""

    label: str
    users: int
    throughput: float
    p50: float
    p99: float
    requests: int
    failures: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def warm_up(host: str, paths: list[str]) -> None:
    """Every worker loads its code, templates and caches before anything is timed."""
    for _ in range(WORKERS * 4):
        for path in paths:
            with urllib.request.urlopen(host + path, timeout=10) as response:  # noqa: S310
                response.read()


@contextmanager
def running(command: list[str], env: dict, ready_url: str) -> Iterator[None]:
    """A server process for the duration of the block (stopped by its own pid). Its output
    goes to a file: a pipe nobody reads would stall it once full."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            try:
                wait_until_up(ready_url)
            except OSError:
                output.seek(0)
                raise RuntimeError(f"{command[2]} did not start: {output.read()[-3000:]}") from None
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def build() -> tuple[str, str]:
    """The bench's site, session and promo code: the page's path and the one-query view's.

    Each run has fresh encryption keys: the provider account (its password encrypted with the
    keys of an earlier run) and the earlier run's payments are deleted first.
    """
    PayflowAccount.objects.filter(site__slug=SITE_SLUG).only("pk", "site_id").delete()
    Payment.objects.filter(site__slug=SITE_SLUG).delete()
    session = build_payment_page()
    PromoCode.objects.get_or_create(
        site=session.site,
        code=CODE,
        defaults={
            "service": "events",
            "discount_type": "percent",
            "discount_value": Decimal("10"),
            "expires_on": date(2039, 1, 1),
            "max_uses": None,
        },
    )
    return f"/pay/{session.site.slug}/{session.pk}/", f"/bench/one-query/{session.pk}/"


def run_round(user_class: str, users: int, seconds: int, host: str, env: dict) -> dict:
    """Locust headless for ``seconds`` with ``users`` looping users; its stats by name."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "round")
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "--skip-log-setup",
            f"--users={users}",
            f"--spawn-rate={users}",
            f"--run-time={seconds}s",
            "--stop-timeout=10",
            f"--host={host}",
            f"--csv={prefix}",
            user_class,
        ]
        completed = subprocess.run(  # noqa: S603 - the load tool of our dev dependencies
            command,
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=seconds + 60,
            check=False,
        )
        with open(f"{prefix}_stats.csv", newline="") as stats:
            rows = {row["Name"]: row for row in csv.DictReader(stats)}
        if not any(row.get("Request Count", "0") != "0" for row in rows.values()):
            raise RuntimeError(
                f"{user_class}: nothing measured\n{completed.stderr.decode()[-3000:]}"
            )
        with open(f"{prefix}_failures.csv", newline="") as failures:
            for row in csv.DictReader(failures):
                rows[row["Name"]]["error"] = f"{row['Error']} ({row['Occurrences']}×)"
        return rows


def worker_options(threads: int) -> list[str]:
    """gunicorn's worker options: sync workers (the issue's setup), or with ``threads`` > 1
    threaded workers, each serving that many requests at once (one waits on PayPal or on
    PostgreSQL while another runs)."""
    if threads > 1:
        return ["--worker-class=gthread", f"--threads={threads}"]
    return ["--worker-class=sync"]


def measure(
    users_levels: list[int], seconds: int, log: Callable[[str], None] = print, threads: int = 1
) -> list[Round]:
    page, one_query = build()
    web_port, sandbox_port = free_port(), free_port()
    host, sandbox = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sandbox_port}"
    env = {
        **os.environ,
        "PAYPAL_PAYFLOW_TEST_URL": sandbox + "/",
        "PAYPAL_EC_TEST_REDIRECT_URL": sandbox + "/cgi-bin/webscr",
        "PAYPAL_REST_TEST_URL": sandbox,
        "BENCH_LOAD_PAGE": page,
        "BENCH_LOAD_ONE_QUERY": one_query,
        "BENCH_LOAD_CODE": CODE,
        "BENCH_LOAD_PAYFLOW_URL": sandbox + "/",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--workers={WORKERS}",
        *worker_options(threads),
        f"--bind=127.0.0.1:{web_port}",
        "--log-level=warning",
        "webexcommerce.wsgi",
    ]
    sandbox_command = [*manage, "paypal_sandbox", "--host=127.0.0.1", f"--port={sandbox_port}"]
    rounds = []
    with (
        running(sandbox_command, env, sandbox + "/_sandbox/ledger"),
        running(gunicorn, env, host + "/bench/bare/"),
    ):
        warm_up(host, [page, one_query, "/bench/bare/"])
        for users in users_levels:
            for label, user_class, name in LINES:
                log(f"· {label}, {users} users, {seconds} s …")
                row = run_round(user_class, users, seconds, host, env).get(name)
                if row is None:
                    raise RuntimeError(f"{label}: no request measured")
                if "error" in row:
                    log(f"  failed: {row['error']}")
                rounds.append(
                    Round(
                        label,
                        users,
                        float(row["Requests/s"]),
                        float(row["50%"]),
                        float(row["99%"]),
                        int(row["Request Count"]),
                        int(row["Failure Count"]),
                    )
                )
    return rounds


def format_table(rounds: list[Round]) -> str:
    header = (
        f"{'what':<34} {'users':>5} {'throughput':>11} {'p50':>8} {'p99':>8} "
        f"{'requests':>8} {'failed':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in rounds:
        lines.append(
            f"{r.label:<34} {r.users:>5} {r.throughput:>9.1f}/s {r.p50:>5.0f} ms "
            f"{r.p99:>5.0f} ms {r.requests:>8} {r.failures:>6}"
        )
    return "\n".join(lines)


def check_targets(rounds: list[Round]) -> list[str]:
    """The targets of issue 15, one line each per concurrency: met or MISSED, with figures."""
    by = {(r.label, r.users): r for r in rounds}
    lines = []
    for users in sorted({r.users for r in rounds}):
        page = by[("payment page GET", users)]
        floor = by[("bare view, one query", users)]
        card = by[("card payment (POST → simulator)", users)]
        sale = by[("Payflow sale alone", users)]
        checks = (
            (
                "page GET throughput ≥ 1/3 one-query view",
                page.throughput * 3 >= floor.throughput,
                f"{page.throughput:.0f}/s vs {floor.throughput:.0f}/s "
                f"({page.throughput / floor.throughput:.2f}×)",
            ),
            (
                "page GET p99 ≤ 3× one-query view p99",
                page.p99 <= 3 * floor.p99,
                f"{page.p99:.0f} ms vs {floor.p99:.0f} ms ({page.p99 / floor.p99:.1f}×)",
            ),
            (
                "card p50 ≤ sale p50 + 2× page GET p50",
                card.p50 <= sale.p50 + 2 * page.p50,
                f"{card.p50:.0f} ms vs {sale.p50:.0f} + 2×{page.p50:.0f} = "
                f"{sale.p50 + 2 * page.p50:.0f} ms",
            ),
        )
        for name, met, figures in checks:
            lines.append(f"{users:>3} users  {name:<42} {'met' if met else 'MISSED':<6}  {figures}")
    return lines


def report(
    users_levels: list[int], seconds: int, log: Callable[[str], None] = print, threads: int = 1
) -> None:
    workers = (
        f"{WORKERS} sync workers" if threads <= 1 else f"{WORKERS} workers × {threads} threads"
    )
    log(
        f"gunicorn {workers}, {settings.SETTINGS_MODULE}, "
        f"{settings.DATABASES['default']['NAME']}, {seconds} s per round, 127.0.0.1"
    )
    rounds = measure(users_levels, seconds, log, threads)
    log("")
    log(format_table(rounds))
    log("")
    for line in check_targets(rounds):
        log(line)

"""``manage.py bench`` (``make bench``): the console's figures beside their floors, on PostgreSQL.

Promotional codes at 1,000,000 codes (report pages, generation, expiry sweep, bulk actions,
CSV export, each against the plain-SQL floor), the REST API's list of them (against the
floor and the console's report page), then the payment page (GET, and a card payment POST
through to the bundled PayPal simulator, each against its plain floor).

Runs against its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/webexcommerce_bench``), created and migrated when
missing, never the console's: the command re-runs itself in a child process whose
``DATABASE_URL`` is the benchmark database. The data set is built once and reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/webexcommerce_bench"
STEPS = ("report", "generate", "sweep", "bulk", "export", "api", "payment", "charts")


def ensure_database(url: str) -> None:
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    admin = psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


class Command(BaseCommand):
    help = (
        "Benchmark on PostgreSQL: promotional codes at 1,000,000 codes in one site (report, "
        "generation, expiry sweep, bulk extend/delete, CSV export) against the plain-SQL "
        "floor, the REST API's list against the console's report page, and the payment page "
        "against a bare Django view and the gateway alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--codes", type=int, default=1_000_000)
        parser.add_argument("--generate", type=int, default=100_000)
        parser.add_argument("--sweep", type=int, default=100_000)
        parser.add_argument("--skip", action="append", choices=STEPS, default=[])
        parser.add_argument(
            "--pg-setting",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a PostgreSQL setting for the benchmark's session, e.g. wal_compression=lz4 "
            "(to measure a recommended server setting without changing the server)",
        )
        parser.add_argument("--child", action="store_true", help="internal: run the benchmark")

    def handle(self, *args, **options):
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("BENCH_DATABASE_URL must be a PostgreSQL URL.")
        if not options["child"]:
            return self.run_child(url, options)
        from django.db import connection

        if connection.settings_dict["NAME"] != dj_database_url.parse(url)["NAME"]:
            raise CommandError("Refusing to run outside the benchmark database.")
        call_command("migrate", verbosity=0, interactive=False)
        from bench import api as api_bench
        from bench import harness
        from bench import payments as payment_bench
        from bench import promocodes as bench
        from bench import reports as reports_bench

        for setting in options["pg_setting"]:
            name, _, value = setting.partition("=")
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
            self.stdout.write(f"PostgreSQL session setting: {name.strip()} = {value.strip()}")
        log = self.stdout.write
        skip = set(options["skip"])
        results = bench.run(
            total=options["codes"],
            generate=options["generate"],
            sweep=options["sweep"],
            skip=skip,
            log=log,
        )
        harness.run_steps(
            [
                ("api", lambda: results.extend(api_bench.run(options["codes"], log))),
                ("payment", lambda: results.extend(payment_bench.run(log))),
                ("charts", lambda: results.extend(reports_bench.run(options["codes"], log))),
            ],
            results,
            log=log,
            skip=skip,
        )
        self.stdout.write("")
        self.stdout.write(harness.format_table(results))

    def run_child(self, url: str, options) -> None:
        ensure_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "webexcommerce.settings.local",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
        manage = Path(__file__).resolve().parents[3] / "manage.py"
        command = [
            sys.executable,
            str(manage),
            "bench",
            "--child",
            f"--codes={options['codes']}",
            f"--generate={options['generate']}",
            f"--sweep={options['sweep']}",
            *(f"--skip={step}" for step in options["skip"]),
            *(f"--pg-setting={setting}" for setting in options["pg_setting"]),
        ]
        completed = subprocess.run(command, env=env, check=False)  # noqa: S603
        if completed.returncode:
            raise CommandError(f"benchmark failed (exit {completed.returncode})")

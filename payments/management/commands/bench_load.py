"""``manage.py bench_load`` (``make bench-load``): the payment page under load (``bench/load.py``).

Runs against its own database (``BENCH_LOAD_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/webexcommerce_bench_load``), created and migrated when
missing, and its own Redis database (``BENCH_LOAD_CACHE_URL``, default
``redis://127.0.0.1:6379/12``), never the console's. Like ``make check-deploy``, it makes a
fresh ``SECRET_KEY`` and ``FIELD_ENCRYPTION_KEYS`` for the run and re-runs itself in a child
process under the production settings (``bench.load_settings``). Bounded: every round lasts
``--seconds``; everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from .bench import ensure_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/webexcommerce_bench_load"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/12"


class Command(BaseCommand):
    help = (
        "Load benchmark on 127.0.0.1: gunicorn (3 sync workers, production settings), "
        "PostgreSQL and the PayPal simulator under Locust; the payment page GET, the promo-code "
        "Apply and a card payment beside two bare views and the gateway call alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, action="append", help="concurrent users (default: 10 and 50)"
        )
        parser.add_argument("--seconds", type=int, default=15, help="length of each round")
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="threads per gunicorn worker (default 1: sync workers, as production runs)",
        )
        parser.add_argument("--child", action="store_true", help="internal: run the benchmark")

    def handle(self, *args, **options):
        url = os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL)
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("BENCH_LOAD_DATABASE_URL must be a PostgreSQL URL.")
        users = options["users"] or [10, 50]
        if any(n < 1 for n in users) or not 1 <= options["seconds"] <= 600:
            raise CommandError("--users must be ≥ 1 and --seconds between 1 and 600.")
        if not 1 <= options["threads"] <= 32:
            raise CommandError("--threads must be between 1 and 32.")
        if not options["child"]:
            return self.run_child(url, users, options["seconds"], options["threads"])
        from django.db import connection

        if connection.settings_dict["NAME"] != dj_database_url.parse(url)["NAME"]:
            raise CommandError("Refusing to run outside the benchmark database.")
        call_command("migrate", verbosity=0, interactive=False)
        from bench import load

        load.report(users, options["seconds"], self.stdout.write, options["threads"])

    def run_child(self, url: str, users: list[int], seconds: int, threads: int) -> None:
        ensure_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CACHE_URL": os.environ.get("BENCH_LOAD_CACHE_URL", DEFAULT_CACHE_URL),
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        manage = Path(__file__).resolve().parents[3] / "manage.py"
        command = [
            sys.executable,
            str(manage),
            "bench_load",
            "--child",
            f"--seconds={seconds}",
            f"--threads={threads}",
            *(f"--users={n}" for n in users),
        ]
        completed = subprocess.run(command, env=env, check=False)  # noqa: S603
        if completed.returncode:
            raise CommandError(f"load benchmark failed (exit {completed.returncode})")

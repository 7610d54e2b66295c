"""Fixtures of the promotional codes tests: factories, and a real Celery worker.

``start_celery_worker`` is written to be shared: it gives the worker a queue of its own and
routes this process's tasks to it, so that another worker on the same Redis database (another
test run, another engineer) can never take the tasks of this test, and vice versa.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this test process uses (the test database, once created)."""
    s = connection.settings_dict
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += ":" + s["PASSWORD"]
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextmanager
def start_celery_worker(
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    concurrency: int = 2,
    beat: bool = False,
    ready_timeout: float = 60,
):
    """Run ``celery -A webexcommerce worker`` on the test database until the block ends.

    The worker uses ``webexcommerce.settings.test``, the database this process uses
    (``TEST_DATABASE_URL``), e-mail written to files under ``tmp_path / "mail"``, and a
    queue of its own (``TEST_CELERY_QUEUE``: it consumes from it and the tasks it sends go
    there too; this process routes its tasks there while the block runs). Yields the
    worker's ``Popen``; its log is ``tmp_path / "worker.log"``.
    Tests that rely on it need ``transactional_db`` so that the worker sees committed rows.
    """
    from webexcommerce.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    hostname = f"{queue}@localhost"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webexcommerce.settings.test",
        "TEST_DATABASE_URL": database_url(),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(mail_dir),
        "VAR_DIR": str(tmp_path),
        "TEST_CELERY_QUEUE": queue,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "webexcommerce",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--queues={queue}",
        f"--hostname={hostname}",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        command += ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
    log_path = tmp_path / "worker.log"
    previous_routes = app.conf.task_routes
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=log, stderr=log)  # noqa: S603
    try:
        app.conf.update(task_routes={"*": {"queue": queue}})
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError("Celery worker exited:\n" + log_path.read_text())
            if app.control.ping(destination=[hostname], timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("Celery worker did not start:\n" + log_path.read_text())
        yield process
    finally:
        app.conf.update(task_routes=previous_routes)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, message: str = ""):
    """Poll until ``predicate()`` is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or "condition not met in time")
        time.sleep(interval)


# --- Factories ------------------------------------------------------------------------


@pytest.fixture
def make_session(db):
    from sites.models import Session

    def make(site, title="Intro", service="events", kind="event_recording", fee="50.00", **kw):
        if kind in ("live_event", "live_training"):
            kw.setdefault("starts_at", timezone.now() + timedelta(days=7))
        return Session.objects.create(
            site=site, title=title, service=service, kind=kind, fee=Decimal(fee), **kw
        )

    return make


@pytest.fixture
def make_code(db):
    """A code created directly (no form): ``make_code(site, "ABC123", max_uses=3, …)``."""
    from promocodes.models import PromoCode

    counter = iter(range(1, 1_000_000))

    def make(site, code=None, **fields):
        fields.setdefault("service", "events")
        fields.setdefault("discount_type", "percent")
        fields.setdefault("discount_value", Decimal("10"))
        fields.setdefault("expires_on", date.today() + timedelta(days=30))
        fields.setdefault("max_uses", 1)
        return PromoCode.objects.create(
            site=site, code=code or f"CODE{next(counter):06d}", **fields
        )

    return make


@pytest.fixture
def create_url(site):
    from django.urls import reverse

    return reverse("promocode-create", args=[site.slug, "events"])


@pytest.fixture
def report_url(site):
    from django.urls import reverse

    return reverse("promocode-report", args=[site.slug, "events"])


@pytest.fixture
def action_url(site):
    from django.urls import reverse

    return reverse("promocode-action", args=[site.slug, "events"])


@pytest.fixture
def csv_url(site):
    from django.urls import reverse

    return reverse("promocode-csv", args=[site.slug, "events"])


@pytest.fixture
def future():
    """A date a month ahead, as typed in the form (dd/mm/yyyy)."""
    return (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")


@pytest.fixture
def valid_create_data(future):
    """The smallest valid *Create*: one generated code, 10 % off, for Events."""
    return {
        "service": "events",
        "code_type": "generated",
        "quantity": "1",
        "code_length": "8",
        "usage": "once",
        "discount_type": "percent",
        "discount_value": "10",
        "expires_on": future,
        "applies_to": "all",
    }

"""Start a real Celery worker (optionally with beat) in a subprocess for a test.

The worker gets a queue of its own and this process routes its tasks there while the block
runs, so another worker on the same Redis database (another test run) never takes them.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the database this test process uses (the test database, once created)."""
    s = connection.settings_dict
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += ":" + s["PASSWORD"]
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(
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
    # A session of its own: the worker, its pool processes and beat form one process group,
    # which a fault test can stop or kill as a whole (``signal_worker``).
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=worker_env, stdout=log, stderr=log, start_new_session=True
    )
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


def task_outcome(tmp_path: Path, result, timeout: float = 30):
    """Wait until the worker of ``celery_worker(tmp_path)`` has run the task ``result`` was
    queued as, and return its return value as the worker logged it (a Python literal read
    back: ``0``, ``'2026-…'``; else the logged text).

    Tasks keep no result (``CELERY_TASK_IGNORE_RESULT``), so a test that needs to know a task
    ran — when it changes nothing in the database — reads the worker's log line
    ``Task <name>[<id>] succeeded in …s: <value>``. A task that failed fails the test. The
    duration is matched loosely: the log's card-number redaction may take a long fraction of a
    second for a card number (``0.[card number redacted]s``), which is the safe side."""
    done = re.compile(rf"Task \S+\[{re.escape(result.id)}\] succeeded in .+?s: (.*)$")
    failed = re.compile(rf"Task \S+\[{re.escape(result.id)}\] raised")
    log_path = tmp_path / "worker.log"
    deadline = time.monotonic() + timeout
    while True:
        for line in log_path.read_text().splitlines():
            if match := done.search(line):
                try:
                    return ast.literal_eval(match.group(1))
                except (ValueError, SyntaxError):
                    return match.group(1)
            if failed.search(line):
                raise AssertionError(f"task {result.id} failed:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"task {result.id} did not run:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def signal_worker(process: subprocess.Popen, signum: int = signal.SIGKILL) -> None:
    """Send ``signum`` to a worker started by ``celery_worker`` and all its processes.

    ``SIGKILL`` is a crash (nothing is cleaned up, no message acknowledged); the call then
    waits for the worker to be gone. ``SIGSTOP``/``SIGCONT`` freeze and thaw the whole worker.
    """
    os.killpg(process.pid, signum)
    if signum == signal.SIGKILL:
        process.wait(timeout=10)


def sent_mail(tmp_path: Path) -> list[EmailMessage]:
    """The e-mails a worker started by ``celery_worker(tmp_path)`` has sent, oldest file first.

    Django's file backend writes one file per connection, its messages separated by a line of
    79 dashes. Parsed with the modern policy: ``message["Subject"]`` is decoded and
    ``message.get_content()`` is the body as text.
    """
    messages = []
    for path in sorted((tmp_path / "mail").glob("*")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip(), policy=policy.default))
    return messages


def wait_for_mail(tmp_path: Path, count: int, timeout: float = 30) -> list[EmailMessage]:
    """``sent_mail(tmp_path)`` once it holds at least ``count`` messages (fails on time-out,
    with the worker's log)."""
    deadline = time.monotonic() + timeout
    while len(messages := sent_mail(tmp_path)) < count:
        if time.monotonic() > deadline:
            log = tmp_path / "worker.log"
            raise AssertionError(
                f"{len(messages)} of {count} e-mails sent:\n"
                + (log.read_text()[-3000:] if log.exists() else "")
            )
        time.sleep(0.2)
    return messages

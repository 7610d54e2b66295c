"""Start a real Celery worker (optionally with beat) in a subprocess for a test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def celery_worker(*, beat: bool = False, env: dict[str, str] | None = None, tmp_path: Path):
    """Run ``celery -A webexcommerce worker`` with the test settings until the block ends.

    The worker reaches the same PostgreSQL test database as the test (pass
    ``TEST_DATABASE_URL`` in ``env``) and the same Redis broker. It is ready when it
    answers a ping; it is stopped with SIGTERM (warm shutdown) and killed if it lingers.
    """
    from webexcommerce.celery import app

    worker_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webexcommerce.settings.test"}
    worker_env.update(env or {})
    worker_env["VAR_DIR"] = str(tmp_path)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "webexcommerce",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--pool",
        "prefork",
        "--hostname",
        f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]
    if beat:
        command += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=log, stderr=log)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError((tmp_path / "worker.log").read_text())
            if app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError(
                "Celery worker did not start:\n" + (tmp_path / "worker.log").read_text()
            )
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

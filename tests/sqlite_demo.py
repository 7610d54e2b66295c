"""The embedded demo on SQLite, as ``make run`` starts it, for tests of what only SQLite does.

``override_settings`` cannot swap the database of a running test process, so these tests
run ``manage.py`` in a child process with the ``local`` settings and a fresh SQLite file
under ``tmp_path``: ``running(tmp_path, steps)`` migrates, runs each management command of
``steps``, starts a threaded ``runserver`` and yields ``(base_url, env, log_path)``; the
server is stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from tests.local_servers import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parents[1]


def demo_env(var_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of ``make run``: local settings, nothing configured, files under var."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "TEST_", "CELERY_", "CACHE_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="webexcommerce.settings.local", VAR_DIR=str(var_dir))
    env.update(extra or {})
    return env


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120, **kwargs
    )


@contextlib.contextmanager
def running(tmp_path: Path, steps: list[list[str]], extra_env: dict[str, str] | None = None):
    env = demo_env(tmp_path / "var", extra_env)
    manage(env, "migrate", "--no-input", "-v", "0")
    for step in steps:
        manage(env, *step)
    port = free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(base + "/healthz/", server, log_path)
            yield base, env, log_path
        finally:
            server.terminate()
            server.wait(timeout=20)


def csrf_of(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def logged_in(base: str, username: str, password: str) -> requests.Session:
    """A browser-like session logged in to the demo (CSRF token and Referer included)."""
    session = requests.Session()
    url = base + "/accounts/login/"
    answer = session.post(
        url,
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf_of(session, url)},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.status_code
    return session

"""The embedded demo (SQLite, ``local`` settings) answers overlapping writes without a 500.

A real ``runserver`` (threaded, like ``make run``) on a fresh SQLite file, then a dozen
clients at once: each logs in (session, login throttling and last-login rows written) and,
released together, each creates a user in the ops admin (a transaction that reads, then
writes: the shape that SQLite's default deferred transactions answer with "database is
locked").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 12
PASSWORD = "sqlite-demo-pw-91"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(var_dir: Path) -> dict[str, str]:
    """The environment of ``make run``: local settings, nothing configured, files under var."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "TEST_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="webexcommerce.settings.local",
        VAR_DIR=str(var_dir),
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    return env


@pytest.fixture
def demo_server(tmp_path):
    env = demo_env(tmp_path / "var")
    manage = [sys.executable, "manage.py"]
    for step in (
        ["migrate", "--no-input", "-v", "0"],
        ["createsuperuser", "--no-input", "--username", "ops", "--email", "ops@example.com"],
    ):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, timeout=120)
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/healthz/", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.3)
        yield base, env, tmp_path / "server.log"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def csrf_of(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.mark.timeout(240)
def test_parallel_writes_on_the_sqlite_demo_never_answer_500(demo_server):
    base, env, log_path = demo_server
    release = threading.Barrier(CLIENTS)

    def one_client(number: int) -> list[int]:
        session = requests.Session()
        token = csrf_of(session, base + "/accounts/login/")
        login = session.post(
            base + "/accounts/login/",
            {"username": "ops", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": base + "/accounts/login/"},
            allow_redirects=False,
            timeout=60,
        )
        add_url = base + "/ops/auth/user/add/"
        token = csrf_of(session, add_url)
        release.wait(timeout=60)
        created = session.post(
            add_url,
            {
                "username": f"parallel-{number}",
                "usable_password": "true",
                "password1": "Kx7-quartz-meadow",
                "password2": "Kx7-quartz-meadow",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": add_url},
            allow_redirects=False,
            timeout=60,
        )
        return [login.status_code, created.status_code]

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(one_client, range(CLIENTS)))

    log = log_path.read_text()
    assert "database is locked" not in log, log[-3000:]
    assert statuses == [[302, 302]] * CLIENTS, statuses
    count = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User;"
            "print(User.objects.filter(username__startswith='parallel-').count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert count.stdout.strip().splitlines()[-1] == str(CLIENTS)

"""The embedded demo (SQLite, ``local`` settings) answers overlapping writes without a 500.

A real ``runserver`` (threaded, like ``make run``) on a fresh SQLite file, then a dozen
clients at once: each logs in (session, login throttling and last-login rows written) and,
released together, each creates a user in the ops admin (a transaction that reads, then
writes: the shape that SQLite's default deferred transactions answer with "database is
locked").
"""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests import sqlite_demo
from tests.sqlite_demo import ROOT, csrf_of

CLIENTS = 12
PASSWORD = "sqlite-demo-pw-91"


@pytest.fixture
def demo_server(tmp_path):
    steps = [
        ["createsuperuser", "--no-input", "--username", "ops", "--email", "ops@example.com"],
    ]
    with sqlite_demo.running(tmp_path, steps, {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}) as server:
        yield server


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

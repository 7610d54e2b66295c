"""Fault test: the database connection of a request is dropped during a bulk action.

The test holds a row lock on one of the selected codes from a connection of its own, so the
request's UPDATE waits; it then terminates the request's PostgreSQL backend
(``pg_terminate_backend``) while that UPDATE is running, and lets go of the lock. The extend
must be all or nothing (no code extended, no History entry), the answer the console's own
*database unavailable* page (503, in the person's language, no traceback), and the next request
on the same thread — Django opens a new connection — must work.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client

from promocodes.models import PromoCode
from sites.models import Revision

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def until(days=60) -> str:
    return (date.today() + timedelta(days=days)).strftime("%d/%m/%Y")


def extend(codes) -> dict:
    return {
        "action": "extend",
        "scope": "selected",
        "ids": [c.pk for c in codes],
        "until": until(),
        "filters": "",
    }


def admin_connection() -> psycopg.Connection:
    """A connection of the test's own to the test database (not Django's), autocommit."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"] or "postgres",
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    )


def backend_waiting_on_update(watcher: psycopg.Connection, timeout: float = 10) -> int:
    """The pid of the backend blocked on the UPDATE of promo codes (the request's).

    ``watcher`` must be outside a transaction: one sees a frozen ``pg_stat_activity``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE \"promocodes_promocode\"%'"
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.02)
    pytest.fail("the request's UPDATE never waited on the lock")


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        ("en", "Database unavailable", "please try again"),
        ("fr", "Base de données indisponible", "veuillez réessayer"),
    ],
)
def test_a_bulk_extend_whose_database_connection_drops_changes_nothing_and_says_so(
    admin, site, action_url, make_code, language, title, advice
):
    codes = [make_code(site, f"KEEP{i}") for i in range(5)]
    before = {c.pk: c.expires_on for c in codes}
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin)
    # One thread for the requests: the dropped connection and the next one are the same
    # Django connection object, as in a web server's worker thread.
    requests = ThreadPoolExecutor(max_workers=1)
    locker, watcher = admin_connection(), admin_connection()
    try:
        locker.execute("BEGIN")
        locker.execute("SELECT 1 FROM promocodes_promocode WHERE id = %s FOR UPDATE", [codes[2].pk])
        pending = requests.submit(client.post, action_url, extend(codes))
        pid = backend_waiting_on_update(watcher)
        [[terminated]] = watcher.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchall()
        assert terminated
        locker.execute("ROLLBACK")
        response = pending.result(timeout=30)

        assert response.status_code == 503
        page = response.content.decode()
        assert title in page and advice in page
        assert "Traceback" not in page and "terminating connection" not in page
        assert {c.pk: c.expires_on for c in PromoCode.objects.filter(site=site)} == before
        assert not Revision.objects.filter(area="promocodes.extend").exists()

        again = requests.submit(client.post, action_url, extend(codes))
        assert again.result(timeout=30).status_code == 302
        extended = set(PromoCode.objects.filter(site=site).values_list("expires_on", flat=True))
        assert {d.strftime("%d/%m/%Y") for d in extended} == {until()}
        assert Revision.objects.filter(area="promocodes.extend").count() == 1
    finally:
        locker.close()
        watcher.close()
        requests.submit(connections.close_all).result()
        requests.shutdown()

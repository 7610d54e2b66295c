"""/healthz and /readyz over the real PostgreSQL, Redis and a real Celery worker with beat."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from monitoring.celery_signals import BEAT_STAMP_KEY
from monitoring.health import READINESS_CHECKS
from sites.tasks import HEARTBEAT_CACHE_KEY
from tests.celery_worker import celery_worker

CHECK_NAMES = list(READINESS_CHECKS)


def readiness(client=None):
    """GET /readyz/ from a thread of its own.

    The view is asynchronous (django-health-check runs its checks concurrently), and the test
    client runs it through ``async_to_sync``, which refuses a thread where an event loop is
    already running — as the browser tests' Playwright leaves in this one. Under gunicorn each
    request thread has no loop, like this helper's thread.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit((client or Client()).get, "/readyz/").result()
    return response.status_code, response.json()


def stamp(key: str, seconds_ago: float) -> None:
    cache.set(key, (timezone.now() - timedelta(seconds=seconds_ago)).isoformat(), timeout=None)


def test_healthz_answers_without_touching_the_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_with_fresh_stamps_is_ready(no_stamps):
    stamp(HEARTBEAT_CACHE_KEY, 1)
    stamp(BEAT_STAMP_KEY, 1)
    status, body = readiness()
    assert status == 200, body
    assert body == {"status": "ready", "checks": dict.fromkeys(CHECK_NAMES, "ok")}


@pytest.mark.django_db
def test_readyz_fails_when_the_worker_heartbeat_is_stale(no_stamps, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 60
    stamp(HEARTBEAT_CACHE_KEY, 61)
    stamp(BEAT_STAMP_KEY, 1)
    status, body = readiness()
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"] == {**dict.fromkeys(CHECK_NAMES, "ok"), "worker": "failing"}


@pytest.mark.django_db
def test_readyz_answer_names_checks_and_states_only(no_stamps):
    """No reason, host, port, version or traceback in the public answer."""
    response = Client().get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "failing"
    assert set(response.json()["checks"].values()) <= {"ok", "failing"}
    text = response.content.decode()
    for detail in ("6379", "5432", "redis", "postgres", "Traceback", "not seen", "Unavailable"):
        assert detail not in text, detail


@pytest.mark.worker
@pytest.mark.timeout(120)
def test_readyz_goes_ready_with_a_real_worker_and_beat_and_fails_once_they_stop(
    tmp_path, transactional_db, no_stamps, settings
):
    assert readiness()[0] == 503
    with celery_worker(tmp_path, beat=True, env={"CELERY_HEARTBEAT_INTERVAL": "1"}):
        deadline = time.monotonic() + 45
        while (status_body := readiness())[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status_body == (200, {"status": "ready", "checks": dict.fromkeys(CHECK_NAMES, "ok")})
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 2
    time.sleep(2.5)
    status, body = readiness()
    assert status == 503
    assert body["checks"]["worker"] == "failing"
    assert body["checks"]["beat"] == "failing"


@pytest.mark.django_db(transaction=True)
def test_probe_command_exits_by_the_readiness_of_a_live_server(live_server, no_stamps, capsys):
    port = live_server.url.rsplit(":", 1)[1]
    with pytest.raises(CommandError, match="503"):
        call_command("probe", "/readyz/", "--port", port)
    capsys.readouterr()
    stamp(HEARTBEAT_CACHE_KEY, 1)
    stamp(BEAT_STAMP_KEY, 1)
    call_command("probe", "/readyz/", "--port", port)
    assert capsys.readouterr().out.startswith("200 ")

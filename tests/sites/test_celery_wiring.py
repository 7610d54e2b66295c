"""The Celery wiring, proven with a real worker and beat against Redis."""

import time

import pytest
from django.core.cache import cache

from sites.tasks import heartbeat
from tests.celery_worker import celery_worker

pytestmark = pytest.mark.worker


def wait_for_heartbeat(timeout: float = 30) -> str:
    """The heartbeat's stamp once a worker has written it (tasks keep no result)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not cache.get("celery:heartbeat"):
        time.sleep(0.2)
    return cache.get("celery:heartbeat")


def test_a_real_worker_runs_the_heartbeat_task(tmp_path):
    cache.delete("celery:heartbeat")
    with celery_worker(tmp_path):
        heartbeat.delay()
        stamp = wait_for_heartbeat()
    assert stamp and stamp.startswith("20")


def test_no_task_keeps_a_result():
    """Nothing reads task results: enqueueing never waits on the result backend."""
    from webexcommerce.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"promocodes.tasks.generate_batch", "sites.tasks.heartbeat"} <= set(ours)
    assert [name for name, task in ours.items() if not task.ignore_result] == []


def test_beat_schedules_the_heartbeat_on_its_own(tmp_path):
    cache.delete("celery:heartbeat")
    with celery_worker(tmp_path, beat=True, env={"CELERY_HEARTBEAT_INTERVAL": "1"}):
        assert wait_for_heartbeat()

"""The Celery wiring, proven with a real worker and beat against Redis."""

import time

import pytest
from django.core.cache import cache

from sites.tasks import heartbeat
from tests.celery_worker import celery_worker

pytestmark = pytest.mark.worker


def test_a_real_worker_runs_the_heartbeat_task(tmp_path):
    with celery_worker(tmp_path):
        stamp = heartbeat.delay().get(timeout=30)
    assert stamp.startswith("20")


def test_beat_schedules_the_heartbeat_on_its_own(tmp_path):
    cache.delete("celery:heartbeat")
    with celery_worker(tmp_path, beat=True, env={"CELERY_HEARTBEAT_INTERVAL": "1"}):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not cache.get("celery:heartbeat"):
            time.sleep(0.5)
    assert cache.get("celery:heartbeat")

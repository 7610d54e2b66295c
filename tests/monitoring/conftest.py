"""Fixtures of the monitoring tests: a cache without stamps of earlier runs."""

import pytest
from django.core.cache import cache

from monitoring.celery_signals import BEAT_STAMP_KEY
from sites.tasks import HEARTBEAT_CACHE_KEY


@pytest.fixture
def no_stamps():
    cache.delete_many([HEARTBEAT_CACHE_KEY, BEAT_STAMP_KEY])
    yield
    cache.delete_many([HEARTBEAT_CACHE_KEY, BEAT_STAMP_KEY])

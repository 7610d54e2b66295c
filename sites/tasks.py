"""Platform-level periodic tasks."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_TASK = "sites.tasks.heartbeat"
# When a worker last ran the heartbeat (ISO 8601); the readiness probe reads it.
HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task(name=HEARTBEAT_TASK)
def heartbeat() -> str:
    """Prove the worker and beat are alive: returns and records the time it ran (ISO 8601)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    logger.info("heartbeat %s", now)
    return now

"""Platform-level periodic tasks."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="sites.tasks.heartbeat")
def heartbeat() -> str:
    """Prove the worker and beat are alive: returns and records the time it ran (ISO 8601)."""
    now = timezone.now().isoformat()
    cache.set("celery:heartbeat", now, timeout=None)
    logger.info("heartbeat %s", now)
    return now

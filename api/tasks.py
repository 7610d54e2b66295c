"""Celery tasks of the API: the purge of expired idempotency records (beat)."""

from __future__ import annotations

from celery import shared_task

from . import idempotency


@shared_task(name="api.tasks.purge_idempotency_records", acks_late=True)
def purge_idempotency_records() -> int:
    """Beat task: delete the stored answers past ``API_IDEMPOTENCY_RETENTION_HOURS``
    (``idempotency.purge_expired``); idempotent, safe to run twice."""
    return idempotency.purge_expired()

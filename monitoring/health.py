"""Readiness checks of ``/readyz``, built on django-health-check's ``HealthCheck``.

The library's ``Database`` and ``Cache`` checks are used as they are; the broker, the
migrations and the two Celery liveness checks are ours. A check raises ``ServiceUnavailable``
with a short reason: the reason goes to the log (the library logs it), never to the public
answer, which says only ``ok`` or ``failing`` per check name (``views.ReadinessView``).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from health_check import Cache, Database, HealthCheck
from health_check.exceptions import ServiceUnavailable

from sites.tasks import HEARTBEAT_CACHE_KEY

from .celery_signals import BEAT_STAMP_KEY


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis, or the demo's file broker)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from webexcommerce.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as error:  # noqa: BLE001 - any failure to connect means not ready
            raise ServiceUnavailable("broker unreachable") from error


_migrations_confirmed = False


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration of the code this process runs is applied to the database.

    Once confirmed, a process does not look again: migrations only change with a deploy,
    which starts new processes.
    """

    def run(self) -> None:
        global _migrations_confirmed
        if _migrations_confirmed:
            return
        try:
            with connection.temporary_connection():
                executor = MigrationExecutor(connection)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("database unreachable") from error
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations not applied")
        _migrations_confirmed = True


def age_of_stamp(key: str) -> float | None:
    """Seconds since the ISO 8601 time stored under ``key`` in the cache (None: never)."""
    stamp = parse_datetime(cache.get(key) or "")
    return None if stamp is None else (timezone.now() - stamp).total_seconds()


def require_recent(key: str, what: str) -> None:
    age = age_of_stamp(key)
    if age is None or age > settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS:
        raise ServiceUnavailable(f"{what} not seen recently")


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A worker ran the heartbeat task recently (``sites.tasks.heartbeat``)."""

    def run(self) -> None:
        require_recent(HEARTBEAT_CACHE_KEY, "worker heartbeat")


@dataclasses.dataclass
class BeatAlive(HealthCheck):
    """Beat published the heartbeat task recently (stamped when it was sent)."""

    def run(self) -> None:
        require_recent(BEAT_STAMP_KEY, "beat")


# The public names of the readiness checks, in the order of the answer.
READINESS_CHECKS: dict[str, type[HealthCheck]] = {
    "database": Database,
    "cache": Cache,
    "broker": Broker,
    "migrations": MigrationsApplied,
    "worker": WorkerHeartbeat,
    "beat": BeatAlive,
}

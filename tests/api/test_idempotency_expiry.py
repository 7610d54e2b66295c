"""Idempotency records expire: kept ``API_IDEMPOTENCY_RETENTION_HOURS``, then purged by beat.

On PostgreSQL: the purge deletes only the records past the window, in batches of one
``DELETE`` each; a repeat after the window — before or after the purge — is a new request
(a refund through the simulator is made again); beat schedules the purge.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import idempotency
from api.models import IdempotentRequest
from api.tasks import purge_idempotency_records
from payments.models import Refund
from tests.api.test_transactions import refund, sold  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def records(site, ages_in_hours: list[float], status: int = 201) -> list[int]:
    """One stored answer per age (hours before now), as ``idempotent`` leaves them."""
    start = IdempotentRequest.objects.count()
    rows = IdempotentRequest.objects.bulk_create(
        IdempotentRequest(
            site=site,
            caller="key:test",
            key=f"key-{start + index}",
            fingerprint="f" * 64,
            response_status=status,
            response_body={"n": index},
        )
        for index in range(len(ages_in_hours))
    )
    now = timezone.now()
    for row, hours in zip(rows, ages_in_hours, strict=True):
        IdempotentRequest.objects.filter(pk=row.pk).update(created_at=now - timedelta(hours=hours))
    return [row.pk for row in rows]


def age(site, key: str, hours: float) -> None:
    IdempotentRequest.objects.filter(site=site, key=key).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_the_window_is_24_hours_by_default(settings):
    assert settings.API_IDEMPOTENCY_RETENTION_HOURS == 24


def test_the_purge_deletes_only_expired_records_in_batches(site):
    expired = records(site, [24.01, 25, 30, 48, 100, 1000, 24 * 365])
    kept = records(site, [0, 1, 23.9])
    IdempotentRequest.objects.filter(pk=expired[0]).update(response_status=0)  # died running
    with CaptureQueriesContext(connection) as queries:
        assert idempotency.purge_expired(batch_size=3) == 7
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1: one statement per batch, no row fetched first
    assert all("LIMIT 3" in sql for sql in deletes), deletes
    assert len(queries) == len(deletes)
    assert sorted(IdempotentRequest.objects.values_list("pk", flat=True)) == sorted(kept)
    assert idempotency.purge_expired() == 0  # nothing left to do: safe to run again


def test_the_beat_task_purges_with_the_configured_window(site, settings):
    settings.API_IDEMPOTENCY_RETENTION_HOURS = 2
    records(site, [1, 3, 5])
    assert purge_idempotency_records.run() == 2
    assert IdempotentRequest.objects.count() == 1


def test_beat_schedules_the_purge(settings):
    from webexcommerce.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["api-idempotency-purge"]
    assert entry["task"] == purge_idempotency_records.name
    assert entry["schedule"] == settings.API_IDEMPOTENCY_PURGE_INTERVAL_SECONDS == 3600
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_repeat_after_the_window_is_a_new_request(shop, sold, writer):  # noqa: F811
    first = refund(writer, shop, sold, {"amount": "10.00"}, key="crm-refund-1")
    assert first.status_code == 201
    age(shop, "crm-refund-1", 23.5)
    within = refund(writer, shop, sold, {"amount": "10.00"}, key="crm-refund-1")
    assert within.json() == first.json() and Refund.objects.count() == 1

    # Past the window, not yet purged: the stored answer no longer counts.
    age(shop, "crm-refund-1", 24.5)
    after = refund(writer, shop, sold, {"amount": "10.00"}, key="crm-refund-1")
    assert after.status_code == 201
    assert after.json()["id"] != first.json()["id"]
    assert Refund.objects.count() == 2
    # The new answer is stored under the key, fresh: a repeat now returns it.
    again = refund(writer, shop, sold, {"amount": "10.00"}, key="crm-refund-1")
    assert again.json() == after.json() and Refund.objects.count() == 2

    # Past the window and purged: another body is no conflict either, but a new request.
    age(shop, "crm-refund-1", 25)
    assert idempotency.purge_expired() == 1
    other = refund(writer, shop, sold, {"amount": "5.00"}, key="crm-refund-1")
    assert other.status_code == 201
    assert Refund.objects.count() == 3


def test_the_purge_index_is_built_and_valid():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'api_idempotency_created'"
        )
        assert cursor.fetchall() == [(True,)]

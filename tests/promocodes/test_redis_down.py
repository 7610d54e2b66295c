"""Fault test: Redis (broker and cache) down while promotional codes are created.

The test runs a Redis of its own (``tests/redis_server.py``; the shared one is never touched)
and points this process's Celery app and cache at it, then stops it. A creation that must be
queued (over ``SYNC_CREATION_LIMIT`` codes) — from the Create page, the API or *Retry* —
answers within seconds (a result backend made it wait ~20 s, then fail with a 500) with a
message saying that nothing was created, and nothing was: no batch, no code, no history
entry. A small creation with recipients still succeeds; its e-mails wait in the database for
the beat task that queues lost e-mails.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from promocodes.models import CreationBatch, PromoCode, PromoCodeEmail
from sites.models import Revision
from tests.api.openapi import ValidatingClient
from tests.api.test_promocodes import create_body
from tests.redis_server import dedicated_redis, use_redis_for_celery

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

# A refused message costs about a second (the broker's publish retries); the result backend's
# reconnection took ~20 s. Generous, so that a loaded machine does not fail it.
ANSWER_WITHIN_SECONDS = 8
LARGE = "1000"


@contextmanager
def redis_down(tmp_path, settings):
    """A test-owned Redis serving Celery and the cache, stopped; yields it (to start again)."""
    with dedicated_redis(tmp_path) as redis, use_redis_for_celery(redis.url):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis.url,
            }
        }
        redis.stop()
        yield redis


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def nothing_created() -> bool:
    return not (
        CreationBatch.objects.exists()
        or PromoCode.objects.exists()
        or Revision.objects.filter(area__startswith="promocodes").exists()
    )


@pytest.mark.timeout(60)
def test_a_large_create_answers_at_once_and_creates_nothing(
    admin_client, create_url, valid_create_data, settings, tmp_path
):
    data = dict(valid_create_data, quantity=LARGE)
    with redis_down(tmp_path, settings) as redis:
        response, seconds = timed(lambda: admin_client.post(create_url, data))
        assert response.status_code == 200
        assert seconds < ANSWER_WITHIN_SECONDS, f"answered in {seconds:.1f} s"
        assert "Background work is unavailable right now" in response.content.decode()
        assert "nothing was created" in response.content.decode()
        assert nothing_created()

        redis.start()
        again = admin_client.post(create_url, data)
        assert again.status_code == 302
        batch = CreationBatch.objects.get()
        assert (batch.total, batch.state) == (1000, "pending")


@pytest.mark.timeout(60)
def test_a_large_create_through_the_api_answers_503_and_creates_nothing(
    site, admin, settings, tmp_path, caplog
):
    from api import keys

    key = keys.create_key(site, admin, name="CRM", holder=admin, scope="write")[1]
    writer = ValidatingClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    with redis_down(tmp_path, settings), caplog.at_level(logging.ERROR):
        response, seconds = timed(
            lambda: writer.post(
                f"/api/v1/sites/{site.slug}/promo-codes/",
                create_body(quantity=int(LARGE)),
                content_type="application/json",
            )
        )
    assert seconds < ANSWER_WITHIN_SECONDS, f"answered in {seconds:.1f} s"
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "queue_unavailable"
    assert "nothing was created" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0
    assert "API rate limit could not be counted; request allowed" in caplog.text
    assert not (CreationBatch.objects.exists() or PromoCode.objects.exists())


@pytest.mark.timeout(60)
def test_retry_while_redis_is_down_leaves_the_batch_failed(
    admin_client, site, admin, settings, tmp_path
):
    batch = CreationBatch.objects.create(
        site=site, service="events", created_by=admin, total=1000, state="failed", error="x"
    )
    url = reverse("promocode-batch-retry", args=[site.slug, "events", batch.pk])
    with redis_down(tmp_path, settings):
        response, seconds = timed(lambda: admin_client.post(url, follow=True))
    assert seconds < ANSWER_WITHIN_SECONDS, f"answered in {seconds:.1f} s"
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("the creation was not queued again" in m for m in shown), shown
    batch.refresh_from_db()
    assert batch.state == "failed"
    assert not Revision.objects.filter(area="promocodes.retry").exists()


@pytest.mark.timeout(60)
def test_a_small_create_with_recipients_succeeds_and_keeps_its_emails_due(
    admin_client, create_url, valid_create_data, settings, tmp_path, caplog
):
    recipients = SimpleUploadedFile("r.csv", b"ada@example.com,Ada\nlin@example.com\n")
    data = dict(valid_create_data, recipients_file=recipients)
    with redis_down(tmp_path, settings), caplog.at_level(logging.ERROR):
        response, seconds = timed(lambda: admin_client.post(create_url, data))
    assert seconds < ANSWER_WITHIN_SECONDS, f"answered in {seconds:.1f} s"
    assert response.status_code == 302
    assert PromoCode.objects.count() == 2
    assert set(PromoCodeEmail.objects.values_list("state", flat=True)) == {"pending"}
    batch = CreationBatch.objects.get()
    assert f"E-mails of batch {batch.pk} not queued" in caplog.text

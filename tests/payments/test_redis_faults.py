"""Fault test: Redis (broker and cache) restarted while a card payment goes through.

The test runs a Redis of its own (``tests/redis_server.py``; the shared one is never touched),
points this process (cache, Celery broker) and a real worker with beat at it, and stops it
(``SHUTDOWN NOSAVE``: the queues are lost) between the page and the payment. The payment must
end paid with one sale in the simulator's ledger, the page answer as usual (the attempt limits
fail open, the receipt that cannot be queued does not fail it), and the receipt reach the
attendee exactly once once Redis is back (the beat sweep of due receipts sends it).
"""

from __future__ import annotations

import logging
import time

import pytest
from django.urls import reverse

from payments.models import Payment
from tests.celery_worker import celery_worker
from tests.payments.test_payment_page import form_data, page_url
from tests.payments.test_pending_resolution_worker import receipts, worker_env
from tests.redis_server import dedicated_redis, use_redis_for_celery

pytestmark = [pytest.mark.fault, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.timeout(60)
def test_a_card_payment_while_redis_restarts_ends_paid_with_one_receipt(
    client, priced_session, paypal_sandbox, settings, tmp_path, caplog
):
    with dedicated_redis(tmp_path) as redis, use_redis_for_celery(redis.url):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis.url,
            }
        }
        settings.PAYMENT_ATTEMPTS_PER_CLIENT = 5  # counted in the cache: on, as in production
        env = {
            **worker_env(paypal_sandbox),
            "TEST_CELERY_BROKER_URL": redis.url,
            "TEST_CELERY_RESULT_BACKEND": redis.url,
            "TEST_CACHE_URL": redis.url,
        }
        with celery_worker(tmp_path, beat=True, env=env):
            data = form_data(client, priced_session)
            redis.stop()
            with caplog.at_level(logging.WARNING):
                response = client.post(page_url(priced_session), data)
            assert response.status_code == 302, response.content.decode()[:500]
            payment = Payment.objects.get()
            assert payment.status == "paid" and payment.receipt_sent_at is None
            done = client.get(reverse("payment-done", args=[payment.public_token]))
            assert done.status_code == 200
            assert "your payment is confirmed" in done.content.decode()
            logged = caplog.text
            assert "Payment attempt limits could not be counted; attempt allowed" in logged
            assert f"Receipt of payment {payment.pk} not queued" in logged

            time.sleep(1.5)  # beat runs meanwhile: nothing can reach the attendee yet
            assert receipts(tmp_path) == []
            redis.start()
            deadline = time.monotonic() + 30
            while not receipts(tmp_path) and time.monotonic() < deadline:
                time.sleep(0.3)
            time.sleep(2)  # a few more beats: no second receipt
            log = (tmp_path / "worker.log").read_text()
    sent = receipts(tmp_path)
    assert len(sent) == 1, log[-3000:]
    assert sent[0]["To"] == "ada@example.com"
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.receipt_sent_at is not None
    assert [entry["kind"] for entry in paypal_sandbox.ledger()] == ["sale"]

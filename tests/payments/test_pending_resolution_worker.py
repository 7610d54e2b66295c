"""A payment left pending by a gateway time-out is settled by the real worker's beat task."""

import time

import pytest

from payments.models import Payment
from tests.celery_worker import celery_worker
from tests.payments.test_payment_page import form_data, page_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_timeout_then_the_beat_resolver_marks_the_payment_paid(
    client, priced_session, paypal_sandbox, settings, tmp_path
):
    settings.PAYPAL_TIMEOUT_SECONDS = 1
    paypal_sandbox.set_faults(delay_seconds=2, only_matching="TRXTYPE=S")
    client.post(page_url(priced_session), form_data(client, priced_session))
    payment = Payment.objects.get()
    assert payment.status == "pending"
    paypal_sandbox.set_faults()

    env = {
        "PAYPAL_PAYFLOW_TEST_URL": paypal_sandbox.payflow_url,
        "PAYMENT_PENDING_GRACE_SECONDS": "0",
        "PAYMENT_RESOLVE_INTERVAL_SECONDS": "1",
        "CELERY_HEARTBEAT_INTERVAL": "3600",
    }
    with celery_worker(tmp_path, beat=True, env=env):
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            payment.refresh_from_db()
            if payment.status != "pending":
                break
            time.sleep(0.5)
    assert payment.status == "paid"
    assert len(paypal_sandbox.ledger()) == 1

"""Fault test: PayPal (the simulator) goes away while the capture of a PayPal payment is in
flight, and comes back later with everything it recorded.

The test runs a simulator of its own (the session's one is shared by every test). The buyer
approves an Orders v2 checkout; the capture is recorded by PayPal, its answer held back, and
the simulator stopped while the console waits for it: no answer ever arrives. The payment is
*Collecting* and the page says it is being confirmed. A real worker with beat tries again
while PayPal is away (nothing changes), then a simulator with the same state comes back on
the same port: the beat resolver repeats the capture with the same ``PayPal-Request-Id``,
PayPal answers with the original capture, and the payment is paid — one capture in the
ledger, one receipt.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections
from django.urls import reverse

from payments.models import Payment
from payments.sandbox.server import SandboxServer
from tests.celery_worker import celery_worker
from tests.conftest import SandboxHandle
from tests.payments.paypal_steps import approve
from tests.payments.test_pending_resolution_worker import receipts, wait_for, worker_env

pytestmark = [pytest.mark.fault, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def point_paypal_at(settings, handle: SandboxHandle) -> None:
    settings.PAYPAL_REST_TEST_URL = handle.base_url
    settings.PAYPAL_PAYFLOW_TEST_URL = handle.payflow_url


@pytest.mark.timeout(60)
def test_paypal_gone_mid_capture_then_back_ends_paid_with_one_capture_and_one_receipt(
    client, priced_session, use_express_checkout_us, settings, tmp_path
):
    server = SandboxServer("127.0.0.1", 0).start()
    back_again = None
    try:
        paypal = SandboxHandle(server)
        point_paypal_at(settings, paypal)
        back = approve(client, priced_session)
        paypal.set_faults(only_matching="/capture", delay_seconds=2, drop_after_commit=1)

        def come_back() -> None:  # the buyer's return, in a thread of its own
            try:
                client.get(back)
            finally:
                connections.close_all()

        returned = threading.Thread(target=come_back)
        returned.start()
        deadline = time.monotonic() + 10
        while not paypal.ledger() and time.monotonic() < deadline:
            time.sleep(0.05)
        [capture] = paypal.ledger()  # PayPal collected; its answer is on its way
        server.stop()  # ... and never arrives
        returned.join(timeout=20)

        payment = Payment.objects.get()
        assert payment.status == "collecting"
        page = client.get(reverse("payment-done", args=[payment.public_token])).content.decode()
        assert "Your payment is being confirmed." in page

        with celery_worker(tmp_path, beat=True, env=worker_env(paypal)):
            time.sleep(3)  # the resolver tries while PayPal is away: nothing changes
            payment.refresh_from_db()
            assert payment.status == "collecting" and payment.resolve_attempts >= 1
            back_again = SandboxServer("127.0.0.1", server.port, app=server.app).start()
            payment = wait_for(payment, ("paid", "failed"), seconds=20)
            deadline = time.monotonic() + 20
            while not receipts(tmp_path) and time.monotonic() < deadline:
                time.sleep(0.3)
            time.sleep(2)  # a few more beats: nothing more may happen
            log = (tmp_path / "worker.log").read_text()
        assert payment.status == "paid", log[-3000:]
        assert paypal.ledger() == [capture]
        assert payment.gateway_reference == capture["id"]
        assert [r["To"] for r in receipts(tmp_path)] == ["ada@example.com"]
        page = client.get(reverse("payment-done", args=[payment.public_token])).content.decode()
        assert "your payment is confirmed" in page
    finally:
        (back_again or server).stop()

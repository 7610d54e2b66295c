"""The beat resolver, run by the real worker: payments left pending by a time-out, captures
PayPal answered with a 5xx, and money PayPal held are settled on PayPal's real answer — one
capture in the ledger, one receipt."""

import time

import pytest

from payments.models import Payment
from tests.celery_worker import celery_worker, sent_mail
from tests.payments.paypal_steps import approve
from tests.payments.test_payment_page import form_data, make_code, page_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_env(paypal_sandbox) -> dict[str, str]:
    return {
        "PAYPAL_PAYFLOW_TEST_URL": paypal_sandbox.payflow_url,
        "PAYPAL_REST_TEST_URL": paypal_sandbox.base_url,
        "PAYPAL_REST_TEST_CLIENT_ID": "sandbox-platform-client",
        "PAYPAL_REST_TEST_SECRET": "sandbox-platform-secret",
        "PAYMENT_PENDING_GRACE_SECONDS": "0",
        "PAYMENT_RESOLVE_INTERVAL_SECONDS": "1",
        "PAYMENT_RETRY_BACKOFF_SECONDS": "1",
        "PAYMENT_RETRY_BACKOFF_MAX_SECONDS": "2",
        "CELERY_HEARTBEAT_INTERVAL": "3600",
    }


def wait_for(payment: Payment, statuses: tuple[str, ...], seconds: float = 40) -> Payment:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        payment.refresh_from_db()
        if payment.status in statuses:
            return payment
        time.sleep(0.5)
    return payment


def receipts(tmp_path) -> list:
    """The receipts the worker of ``tmp_path`` sent (the only e-mails of these tests)."""
    return sent_mail(tmp_path)


def test_timeout_then_the_beat_resolver_marks_the_payment_paid(
    client, priced_session, paypal_sandbox, settings, tmp_path
):
    settings.PAYPAL_TIMEOUT_SECONDS = 1
    paypal_sandbox.set_faults(delay_seconds=2, only_matching="TRXTYPE=S")
    client.post(page_url(priced_session), form_data(client, priced_session))
    payment = Payment.objects.get()
    assert payment.status == "pending"
    paypal_sandbox.set_faults()

    with celery_worker(tmp_path, beat=True, env=worker_env(paypal_sandbox)):
        payment = wait_for(payment, ("paid", "failed", "declined"))
    assert payment.status == "paid"
    assert len(paypal_sandbox.ledger()) == 1


def test_a_capture_answered_5xx_is_collected_by_the_worker_with_the_same_id(
    client, priced_session, paypal_sandbox, use_express_checkout_us, tmp_path
):
    code = make_code(priced_session.site, max_uses=1)
    back = approve(client, priced_session, promo_code="SAVE20")
    paypal_sandbox.set_faults(only_matching="/capture", fail_after_commit=1)
    client.get(back)
    payment = Payment.objects.get()
    assert payment.status == "collecting"
    [capture] = paypal_sandbox.ledger()  # PayPal did collect; its answer was lost

    with celery_worker(tmp_path, beat=True, env=worker_env(paypal_sandbox)):
        payment = wait_for(payment, ("paid", "failed"))
        assert payment.status == "paid"
        deadline = time.monotonic() + 20
        while not receipts(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(2)  # a few more beats: nothing more may happen
    assert paypal_sandbox.ledger() == [capture]
    assert payment.gateway_reference == capture["id"]
    [receipt] = receipts(tmp_path)
    assert receipt["To"] == "ada@example.com"
    code.refresh_from_db()
    assert code.uses == 1


def test_money_paypal_held_is_settled_by_the_worker_once_paypal_completes_it(
    client, priced_session, paypal_sandbox, use_express_checkout_us, tmp_path
):
    back = approve(client, priced_session)
    paypal_sandbox.set_faults(capture_pending_reason="UNILATERAL")
    client.get(back)
    payment = Payment.objects.get()
    assert payment.status == "awaiting_paypal" and payment.held_reason == "UNILATERAL"
    paypal_sandbox.set_faults()

    with celery_worker(tmp_path, beat=True, env=worker_env(paypal_sandbox)):
        time.sleep(3)  # the resolver looks: still held
        payment.refresh_from_db()
        assert payment.status == "awaiting_paypal" and receipts(tmp_path) == []
        paypal_sandbox.settle_capture(payment.gateway_reference, "completed")
        payment = wait_for(payment, ("paid", "failed"))
        deadline = time.monotonic() + 20
        while not receipts(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.3)
    assert payment.status == "paid"
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["capture"]
    assert len(receipts(tmp_path)) == 1

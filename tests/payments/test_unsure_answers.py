"""Issue 11 §1: a 5xx (or a dropped connection) on an Orders capture or a Payments v2 refund is
not PayPal's final answer. The payment stays collecting (the refund pending), the code use is
held, and the resolver retries with the same PayPal-Request-Id until PayPal really answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from payments import refunds
from payments.checkout import request_id
from payments.models import Payment, Refund
from payments.tasks import resolve_pending_refunds
from promocodes.models import PromoCode
from tests.payments.paypal_steps import FR, approve, done_page, kinds, resolve
from tests.payments.test_payment_page import make_code
from tests.payments.test_refunds import refund_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(priced_session):
    return make_code(priced_session.site, max_uses=1)


@pytest.mark.parametrize(
    "fault",
    [{"fail_after_commit": 1}, {"drop_after_commit": 1}, {"fail_before": 1}],
    ids=["5xx-after-commit", "dropped-after-commit", "5xx-before"],
)
def test_a_capture_without_a_final_answer_is_retried_with_the_same_id_and_collected_once(
    client,
    priced_session,
    paypal_sandbox,
    use_express_checkout_us,
    code,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
    fault,
):
    back = approve(client, priced_session, promo_code="SAVE20")
    paypal_sandbox.set_faults(only_matching="/capture", **fault)
    done = client.get(back, follow=True).content.decode()
    payment = Payment.objects.get()
    assert payment.status == "collecting" and payment.resolve_attempts == 1
    assert "Your payment is being confirmed." in done
    assert "Votre paiement est en cours de confirmation." in done_page(client, payment, **FR)
    code.refresh_from_db()
    assert code.uses == 1  # held, not released
    assert mail.outbox == []

    paypal_sandbox.set_faults()
    with django_capture_on_commit_callbacks(execute=True):
        assert resolve(settings) == {"paid": 1}
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.discount == Decimal("20.00")
    [capture] = paypal_sandbox.ledger()
    assert capture["kind"] == "capture" and capture["request_id"] == request_id(payment, "collect")
    assert len(mail.outbox) == 1 and payment.gateway_reference in mail.outbox[0].body
    code.refresh_from_db()
    assert code.uses == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert resolve(settings) == {}  # nothing left to do; no second receipt
    assert len(mail.outbox) == 1


def test_retries_are_bounded_recorded_and_then_the_payment_fails_with_the_code_back(
    client, priced_session, paypal_sandbox, use_express_checkout_us, code, settings
):
    settings.PAYMENT_RETRY_MAX_ATTEMPTS = 3
    settings.PAYMENT_RETRY_BACKOFF_SECONDS = 0
    back = approve(client, priced_session, promo_code="SAVE20")
    paypal_sandbox.set_faults(only_matching="/capture", fail_before=100)
    client.get(back)
    for attempts in (2, 3):
        resolve(settings)
        payment = Payment.objects.get()
        assert payment.status == "collecting" and payment.resolve_attempts == attempts
    resolve(settings)
    payment.refresh_from_db()
    assert payment.status == "failed"
    assert payment.result_message == "PayPal did not confirm the payment."
    assert PromoCode.objects.get(pk=code.pk).uses == 0
    assert paypal_sandbox.ledger() == []


def test_the_backoff_doubles_from_the_second_retry(settings):
    from datetime import timedelta

    from payments.settlement import retry_delay

    settings.PAYMENT_RETRY_BACKOFF_SECONDS = 60
    settings.PAYMENT_RETRY_BACKOFF_MAX_SECONDS = 300
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5)] == [
        timedelta(0),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
        timedelta(seconds=300),
    ]


@pytest.fixture
def paid_rest_payment(client, priced_session, paypal_sandbox, use_express_checkout_us):
    client.get(approve(client, priced_session), follow=True)
    payment = Payment.objects.get()
    assert payment.status == "paid"
    return payment


def test_a_refund_5xx_stays_pending_blocks_a_second_refund_and_is_retried_with_its_key(
    admin_client, site, paid_rest_payment, paypal_sandbox, settings
):
    paypal_sandbox.set_faults(only_matching="/refund", fail_after_commit=1)
    page = admin_client.post(
        refund_url(site, paid_rest_payment), {"amount": "30"}, follow=True
    ).content.decode()
    assert "PayPal did not answer: the refund of $30.00 is pending." in page
    refund = Refund.objects.get()
    assert refund.status == "pending" and refund.attempts == 1
    assert "data-refund-waiting" in page and "is still waiting for PayPal" in page

    # A second refund is refused while the first waits, with the reason; nothing is sent.
    response = admin_client.post(refund_url(site, paid_rest_payment), {"amount": "10"})
    assert "is still waiting for PayPal" in response.content.decode()
    with pytest.raises(refunds.RefundRefused, match="still waiting for PayPal's answer"):
        refunds.refund_payment(paid_rest_payment, Decimal("10.00"), None)
    assert Refund.objects.count() == 1
    french = admin_client.get(refund_url(site, paid_rest_payment), **FR).content.decode()
    assert "attend toujours la réponse de PayPal" in french

    paypal_sandbox.set_faults()
    settings.PAYMENT_PENDING_GRACE_SECONDS = 0
    assert resolve_pending_refunds() == 1
    refund.refresh_from_db()
    paid_rest_payment.refresh_from_db()
    assert refund.status == "paid" and paid_rest_payment.refunded_amount == Decimal("30.00")
    [given_back] = [e for e in paypal_sandbox.ledger() if e["kind"] == "refund"]
    assert given_back["amount"] == "30.00"
    assert kinds(paypal_sandbox) == ["capture", "refund"]
    # Answered: a new refund may be made now.
    assert refunds.refund_payment(paid_rest_payment, Decimal("10.00"), None).status == "paid"


def test_refund_retries_stop_after_the_bound_but_the_administrator_may_retry(
    site, paid_rest_payment, paypal_sandbox, settings
):
    settings.PAYMENT_RETRY_MAX_ATTEMPTS = 2
    settings.PAYMENT_RETRY_BACKOFF_SECONDS = 0
    settings.PAYMENT_PENDING_GRACE_SECONDS = 0
    paypal_sandbox.set_faults(only_matching="/refund", fail_before=100)
    refund = refunds.refund_payment(paid_rest_payment, None, None)
    assert resolve_pending_refunds() == 0
    refund.refresh_from_db()
    assert refund.attempts == 2 and refund.status == "pending"
    assert not refunds.refunds_to_retry().exists()
    paypal_sandbox.set_faults()
    assert refunds.retry_refund(refund, None).status == "paid"
    assert kinds(paypal_sandbox) == ["capture", "refund"]

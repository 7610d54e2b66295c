"""Issue 12 §1: PayPal's return and a cancel racing (threads, PostgreSQL). Once the buyer
approved, cancel is a no-op; once collection started, the payment cannot be cancelled; money
PayPal collected always ends Paid, collected once. Cancel is a POST bound to the browser that
started the payment; a GET of the cancel URL changes nothing."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from payments.models import Payment
from promocodes.models import PromoCode
from tests.payments.paypal_steps import approve, kinds, resolve, start
from tests.payments.test_payment_page import approve_on_paypal, make_code

ROUNDS = 8


def cancel_path(payment: Payment) -> str:
    return f"/pay/paypal/cancel/{payment.public_token}/"


def same_browser(client: Client) -> Client:
    """A second client holding the first one's cookies (its session: the attempt)."""
    twin = Client()
    twin.cookies = client.cookies
    return twin


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", ["payflow", "rest"])
def test_return_and_cancel_racing_always_end_paid_with_one_capture(
    request, priced_session, paypal_sandbox, provider
):
    if provider == "rest":
        request.getfixturevalue("use_express_checkout_us")
    code = make_code(priced_session.site, max_uses=ROUNDS)
    for _ in range(ROUNDS):
        client = Client()
        back = approve(client, priced_session, promo_code="SAVE20")
        payment = Payment.objects.latest("pk")
        canceller = same_browser(client)
        barrier = threading.Barrier(2)

        def collect(client=client, back=back):
            barrier.wait()
            client.get(back)
            connection.close()

        def cancel(canceller=canceller, payment=payment):
            barrier.wait()
            canceller.post(cancel_path(payment))
            connection.close()

        threads = [threading.Thread(target=collect), threading.Thread(target=cancel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        payment.refresh_from_db()
        assert payment.status == "paid", payment.result_message
    assert len(paypal_sandbox.ledger()) == ROUNDS
    assert (
        len({entry.get("order_id") or entry.get("pnref") for entry in paypal_sandbox.ledger()})
        == ROUNDS
    )
    assert set(kinds(paypal_sandbox)) == {"capture" if provider == "rest" else "express_checkout"}
    assert PromoCode.objects.get(pk=code.pk).uses == ROUNDS


@pytest.mark.django_db
def test_cancel_after_approval_is_a_no_op_and_the_return_still_collects(
    client, priced_session, paypal_sandbox, use_express_checkout_us
):
    back = approve(client, priced_session)
    payment = Payment.objects.get()
    page = client.post(cancel_path(payment), follow=True)
    assert page.status_code == 200
    assert Payment.objects.get().status == "pending"  # approved on PayPal: not cancelled
    client.get(back)
    assert Payment.objects.get().status == "paid"
    assert kinds(paypal_sandbox) == ["capture"]


@pytest.mark.django_db
def test_a_get_of_the_cancel_url_changes_nothing_and_another_browser_cannot_cancel(
    client, priced_session, paypal_sandbox
):
    approval = start(client, priced_session)
    payment = Payment.objects.get()
    stranger = Client()
    page = stranger.get(cancel_path(payment))
    assert page.status_code == 200 and "Cancel this payment" not in page.content.decode()
    assert stranger.post(cancel_path(payment)).status_code == 403
    assert Payment.objects.get().status == "pending"
    # The attendee's own browser gets the button; its GET changes nothing either.
    page = client.get(cancel_path(payment)).content.decode()
    assert "Cancel this payment" in page and "You left PayPal without paying." in page
    assert Payment.objects.get().status == "pending"
    approve_on_paypal(approval, "cancel")
    client.post(cancel_path(payment))
    assert Payment.objects.get().status == "cancelled"


@pytest.mark.django_db
def test_the_cancel_post_needs_the_csrf_token(client, priced_session, paypal_sandbox):
    start(client, priced_session)
    payment = Payment.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the attendee's own session, without the form's token
    assert strict.post(cancel_path(payment)).status_code == 403
    assert Payment.objects.get().status == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize("uses_left", [True, False], ids=["code-retaken", "discount-honoured"])
def test_money_collected_on_a_payment_that_ended_unpaid_ends_paid(
    client, priced_session, paypal_sandbox, use_express_checkout_us, settings, uses_left
):
    """The capture reached PayPal but its answer never came, the resolver gave up (failed, code
    given back); PayPal's later word that it was collected makes the payment paid after all."""
    settings.PAYMENT_RETRY_MAX_ATTEMPTS = 1
    code = make_code(priced_session.site, max_uses=1)
    back = approve(client, priced_session, promo_code="SAVE20")
    payment = Payment.objects.get()
    paypal_sandbox.set_faults(only_matching="/capture", drop_after_commit=1)
    client.get(back)
    paypal_sandbox.set_faults(only_matching=payment.gateway_order_id, fail_before=100)
    resolve(settings)  # attempts exhausted: failed, code use back, a later look scheduled
    payment.refresh_from_db()
    assert payment.status == "failed" and payment.next_check_at is not None
    assert PromoCode.objects.get(pk=code.pk).uses == 0
    if not uses_left:
        PromoCode.objects.filter(pk=code.pk).update(uses=1, status="used_up")
    paypal_sandbox.set_faults()
    assert resolve(settings) == {"paid": 1}
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.discount > 0
    assert kinds(paypal_sandbox) == ["capture"]
    assert PromoCode.objects.get(pk=code.pk).uses == 1
    assert (payment.promo_use.released_at is None) is uses_left


def test_cancel_path_matches_the_url_map():
    from django.urls import reverse

    assert (
        reverse("payment-paypal-cancel", args=["abc"])
        == urlsplit("http://x/pay/paypal/cancel/abc/").path
    )


@pytest.mark.django_db
def test_the_cancel_page_and_the_paypal_start_use_a_fixed_number_of_queries(
    client, priced_session, paypal_sandbox, django_assert_num_queries
):
    from tests.payments.test_payment_page import form_data, page_url

    data = form_data(client, priced_session, action="pay_paypal")
    with django_assert_num_queries(PAYPAL_START_QUERIES):
        assert client.post(page_url(priced_session), data).status_code == 302
    payment = Payment.objects.get()
    with django_assert_num_queries(CANCEL_PAGE_QUERIES):
        assert client.get(cancel_path(payment)).status_code == 200


# The attempt and its code use, the session that binds the attempt (the page's reads: cached).
PAYPAL_START_QUERIES = 10
# The payment with its site, session and code; the site's commerce settings; the session.
CANCEL_PAGE_QUERIES = 3

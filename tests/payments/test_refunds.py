"""Refunds against the PayPal simulator over HTTP: Payflow credits (card and PayPal tender),
Payments v2 capture refunds, partial and full, over-refund refused, idempotent retries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import requests
from django.test import Client
from django.urls import reverse

from payments import refunds, selectors
from payments.gateways.base import CardDetails
from payments.gateways.paypal_rest import PayPalOAuth
from payments.models import (
    ExpressCheckoutAccount,
    PayflowAccount,
    Payment,
    PaymentStatus,
    Refund,
)
from payments.provider_gateways import payflow_gateways, paypal_orders_gateway
from sites.models import Revision, Session
from tests.sandbox.openapi import follow_to_return

pytestmark = pytest.mark.django_db

CREDENTIALS = {"partner": "PayPal", "vendor": "acmedemo", "user": "acmedemo"}
PASSWORD = "pilot-pass-1"
PAYEE = "organizer@acme.example.com"
CARD = CardDetails("4111111111111111", 12, 2030, "123", name="Ada Lovelace")


@pytest.fixture
def session(site):
    return Session.objects.create(
        site=site, title="Webex 101", service="events", kind="event_recording", fee=50
    )


@pytest.fixture
def payflow_account(site):
    return PayflowAccount.objects.create(
        site=site,
        kind="payflow_pro",
        password=PASSWORD,
        account_type="payflow_pro",
        cards=["visa"],
        express_checkout=True,
        currency="USD",
        **CREDENTIALS,
    )


@pytest.fixture
def express_account(site):
    return ExpressCheckoutAccount.objects.create(
        site=site,
        kind="express_checkout_us",
        paypal_email=PAYEE,
        currency="USD",
        permission_status="granted",
        merchant_id_in_paypal="MERCHANT12345",
    )


def payment_row(site, session, reference, *, amount="50.00", **fields) -> Payment:
    fields.setdefault("provider", "payflow_pro")
    fields.setdefault("method", "card")
    fields.setdefault("is_test", True)
    return Payment.objects.create(
        site=site,
        session=session,
        attendee_name="Ada Lovelace",
        attendee_email="ada@example.com",
        fee=Decimal(amount),
        amount=Decimal(amount),
        currency="USD",
        status=PaymentStatus.PAID,
        gateway_reference=reference,
        **fields,
    )


@pytest.fixture
def card_payment(paypal_sandbox, payflow_account, site, session):
    """A real card sale on the simulator, recorded as a paid test payment."""
    client, _checkout = payflow_gateways("test", password=PASSWORD, **CREDENTIALS)
    result = client.sale(CARD, Decimal("50.00"), "USD", uuid.uuid4().hex)
    assert result.approved, result
    return payment_row(site, session, result.reference)


@pytest.fixture
def paypal_payflow_payment(paypal_sandbox, payflow_account, site, session):
    """Express Checkout through Payflow (TENDER=P): set, buyer approves, do."""
    _client, checkout_gateway = payflow_gateways("test", password=PASSWORD, **CREDENTIALS)
    checkout = checkout_gateway.start_checkout(
        Decimal("40.00"), "USD", *merchant_urls(paypal_sandbox), uuid.uuid4().hex
    )
    with requests.Session() as browser:
        query = follow_to_return(browser, checkout.approval_url, "Pay now")
    result = checkout_gateway.complete_checkout(
        query["token"], query["PayerID"], Decimal("40.00"), "USD", uuid.uuid4().hex
    )
    assert result.approved, result
    return payment_row(site, session, result.reference, amount="40.00", method="paypal")


@pytest.fixture
def rest_payment(paypal_sandbox, express_account, site, session):
    """Orders v2: create, buyer approves on the simulator's page, capture."""
    PayPalOAuth.clear_cache()
    gateway = paypal_orders_gateway("test", payee_email=PAYEE)
    checkout = gateway.start_checkout(
        Decimal("30.00"), "USD", *merchant_urls(paypal_sandbox), uuid.uuid4().hex
    )
    with requests.Session() as browser:
        query = follow_to_return(browser, checkout.approval_url, "Approve and pay")
    result = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("30.00"), "USD", uuid.uuid4().hex
    )
    assert result.approved, result
    return payment_row(
        site,
        session,
        result.reference,
        amount="30.00",
        provider="express_checkout_us",
        method="paypal",
        gateway_order_id=checkout.token,
    )


def merchant_urls(paypal_sandbox) -> tuple[str, str]:
    # The buyer's browser follows PayPal's redirect: point it at a page that answers.
    base = paypal_sandbox.base_url
    return base + "/merchant/return", base + "/merchant/cancel"


def credits(paypal_sandbox) -> list[dict]:
    return [e for e in paypal_sandbox.ledger() if e["kind"] in ("credit", "refund")]


def refund_url(site, payment):
    return reverse("transaction-refund", args=[site.slug, payment.pk])


# --- the service ------------------------------------------------------------------------------


def test_full_card_refund_credits_the_sale(card_payment, paypal_sandbox, admin):
    refund = refunds.refund_payment(card_payment, None, admin)
    assert refund.status == PaymentStatus.PAID
    assert refund.amount == Decimal("50.00")
    assert refund.result_code == "0" and refund.gateway_reference
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("50.00")
    [credit] = credits(paypal_sandbox)
    assert credit["amount"] == "50.00"
    assert credit["pnref"] == refund.gateway_reference
    assert credit["request_id"] == refund.idempotency_key.hex
    assert selectors.available_to_refund(card_payment) == 0


def test_partial_refunds_add_up_to_the_amount_and_no_further(card_payment, paypal_sandbox, admin):
    refunds.refund_payment(card_payment, Decimal("20.00"), admin)
    refunds.refund_payment(card_payment, Decimal("30.00"), admin)
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("50.00")
    assert [c["amount"] for c in credits(paypal_sandbox)] == ["20.00", "30.00"]
    with pytest.raises(refunds.RefundRefused, match="Nothing is left"):
        refunds.refund_payment(card_payment, Decimal("0.01"), admin)


def test_over_refund_is_refused_before_paypal_is_asked(card_payment, paypal_sandbox, admin):
    with pytest.raises(refunds.RefundRefused, match="At most \\$50.00"):
        refunds.refund_payment(card_payment, Decimal("50.01"), admin)
    assert not Refund.objects.exists()
    assert credits(paypal_sandbox) == []


def test_a_payment_that_is_not_paid_cannot_be_refunded(card_payment, admin):
    Payment.objects.filter(pk=card_payment.pk).update(status=PaymentStatus.FAILED)
    with pytest.raises(refunds.RefundRefused, match="Only a paid payment"):
        refunds.refund_payment(card_payment, None, admin)


def test_time_out_leaves_the_refund_pending_and_the_retry_credits_once(
    card_payment, paypal_sandbox, admin, settings
):
    settings.PAYPAL_TIMEOUT_SECONDS = 0.5
    paypal_sandbox.set_faults(delay_seconds=1.5)
    refund = refunds.refund_payment(card_payment, Decimal("20.00"), admin)
    assert refund.status == PaymentStatus.PENDING
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == 0
    # A pending refund may have happened: it counts as spent until PayPal says.
    assert selectors.available_to_refund(card_payment) == Decimal("30.00")
    with pytest.raises(refunds.RefundRefused):
        refunds.refund_payment(card_payment, Decimal("30.01"), admin)

    paypal_sandbox.set_faults()
    settings.PAYPAL_TIMEOUT_SECONDS = 5
    retried = refunds.retry_refund(refund, admin)
    assert retried.status == PaymentStatus.PAID
    again = refunds.retry_refund(retried, admin)  # settled: not sent again
    assert again.status == PaymentStatus.PAID
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("20.00")
    [credit] = credits(paypal_sandbox)
    assert credit["amount"] == "20.00"
    assert credit["request_id"] == refund.idempotency_key.hex


def test_paypal_tender_payment_through_payflow_is_credited_with_tender_p(
    paypal_payflow_payment, paypal_sandbox, admin
):
    refund = refunds.refund_payment(paypal_payflow_payment, Decimal("15.00"), admin)
    assert refund.status == PaymentStatus.PAID, refund.result_message
    [credit] = credits(paypal_sandbox)
    assert credit["amount"] == "15.00"
    paypal_payflow_payment.refresh_from_db()
    assert paypal_payflow_payment.refunded_amount == Decimal("15.00")


def test_express_checkout_capture_is_refunded_through_payments_v2(
    rest_payment, paypal_sandbox, admin
):
    first = refunds.refund_payment(rest_payment, Decimal("10.00"), admin)
    assert first.status == PaymentStatus.PAID, first.result_message
    assert first.result_code == "COMPLETED"
    rest = refunds.refund_payment(rest_payment, None, admin)
    assert rest.amount == Decimal("20.00") and rest.status == PaymentStatus.PAID
    ledger = credits(paypal_sandbox)
    assert [(e["protocol"], e["capture_id"], e["amount"]) for e in ledger] == [
        ("rest", rest_payment.gateway_reference, "10.00"),
        ("rest", rest_payment.gateway_reference, "20.00"),
    ]
    assert [e["request_id"] for e in ledger] == [
        first.idempotency_key.hex,
        rest.idempotency_key.hex,
    ]
    # The platform names the merchant it refunds for (PayPal-Auth-Assertion).
    assert {e["acting_for"] for e in ledger} == {"MERCHANT12345"}
    rest_payment.refresh_from_db()
    assert rest_payment.refunded_amount == Decimal("30.00")


def test_paypal_refusal_fails_the_refund_and_changes_nothing(
    paypal_sandbox, payflow_account, site, session, admin
):
    payment = payment_row(site, session, "UNKNOWNPNREF")
    refund = refunds.refund_payment(payment, Decimal("5.00"), admin)
    assert refund.status == PaymentStatus.FAILED
    assert refund.result_code == "19"
    payment.refresh_from_db()
    assert payment.refunded_amount == 0
    assert selectors.available_to_refund(payment) == Decimal("50.00")


def test_missing_provider_settings_refuse_the_refund_before_anything_is_sent(site, session, admin):
    payment = payment_row(site, session, "A1B2C3D4E5F6", provider="website_payments_pro_gb")
    with pytest.raises(refunds.RefundRefused, match="settings do not allow this refund"):
        refunds.refund_payment(payment, None, admin)
    assert not Refund.objects.exists()


def test_test_payments_use_the_test_endpoint_and_live_ones_the_live_endpoint(
    card_payment, paypal_sandbox, admin, settings, site, session
):
    settings.PAYPAL_PAYFLOW_LIVE_URL = "http://127.0.0.1:9/"  # nothing listens there
    assert refunds.refund_payment(card_payment, Decimal("1.00"), admin).status == "paid"

    settings.PAYPAL_PAYFLOW_LIVE_URL = paypal_sandbox.payflow_url
    settings.PAYPAL_PAYFLOW_TEST_URL = "http://127.0.0.1:9/"
    client, _checkout = payflow_gateways("production", password=PASSWORD, **CREDENTIALS)
    sale = client.sale(CARD, Decimal("10.00"), "USD", uuid.uuid4().hex)
    live = payment_row(site, session, sale.reference, amount="10.00", is_test=False)
    assert refunds.refund_payment(live, None, admin).status == "paid"


def test_each_refund_writes_a_revision(card_payment, paypal_sandbox, admin, site):
    refunds.refund_payment(card_payment, Decimal("20.00"), admin)
    revision = Revision.objects.for_site(site).get()
    assert revision.actor == admin and revision.area == "transactions.refund"
    assert "$20.00" in revision.summary and "refunded" in revision.summary


# --- the page ---------------------------------------------------------------------------------


def test_refund_page_shows_what_can_be_refunded(admin_client, site, card_payment):
    response = admin_client.get(refund_url(site, card_payment))
    assert response.status_code == 200
    assert "Up to $50.00 can be refunded." in response.content.decode()


def test_admin_refunds_in_part_from_the_page(admin_client, site, card_payment, paypal_sandbox):
    response = admin_client.post(refund_url(site, card_payment), {"amount": "12.50"})
    assert response.status_code == 302
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("12.50")
    page = admin_client.get(response["Location"]).content.decode()
    assert "$12.50 refunded." in page
    assert "Up to $37.50 can be refunded." in page


def test_empty_amount_refunds_everything_left(admin_client, site, card_payment, paypal_sandbox):
    admin_client.post(refund_url(site, card_payment), {"amount": ""})
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("50.00")
    page = admin_client.get(refund_url(site, card_payment)).content.decode()
    assert "Nothing is left to refund on this payment." in page


@pytest.mark.parametrize(
    "amount, message",
    [
        ("50.01", "At most $50.00 can be refunded."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("-3", "Ensure this value is greater than or equal to 0.01."),
        ("abc", "Enter a number."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_bad_amounts_are_field_errors(
    admin_client, site, card_payment, paypal_sandbox, amount, message
):
    response = admin_client.post(refund_url(site, card_payment), {"amount": amount})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    assert not Refund.objects.exists()
    assert credits(paypal_sandbox) == []


def test_pending_refund_is_shown_and_retried_from_the_page(
    admin_client, site, card_payment, paypal_sandbox, settings
):
    settings.PAYPAL_TIMEOUT_SECONDS = 0.5
    paypal_sandbox.set_faults(delay_seconds=1.5)
    response = admin_client.post(refund_url(site, card_payment), {"amount": "10"}, follow=True)
    body = response.content.decode()
    assert "PayPal did not answer: the refund of $10.00 is pending." in body
    assert "Retry" in body
    refund = Refund.objects.get()

    paypal_sandbox.set_faults()
    settings.PAYPAL_TIMEOUT_SECONDS = 5
    response = admin_client.post(refund_url(site, card_payment), {"retry": refund.pk}, follow=True)
    assert "$10.00 refunded." in response.content.decode()
    assert len(credits(paypal_sandbox)) == 1
    card_payment.refresh_from_db()
    assert card_payment.refunded_amount == Decimal("10.00")


def test_organizer_cannot_open_or_post_the_refund_page(organizer_client, site, card_payment):
    assert organizer_client.get(refund_url(site, card_payment)).status_code == 403
    assert organizer_client.post(refund_url(site, card_payment), {"amount": "1"}).status_code == 403
    assert not Refund.objects.exists()


def test_refund_page_is_404_for_another_sites_member(outsider_client, site, card_payment):
    assert outsider_client.get(refund_url(site, card_payment)).status_code == 404
    assert outsider_client.post(refund_url(site, card_payment), {"amount": "1"}).status_code == 404


def test_another_sites_payment_is_404_through_this_site(
    admin_client, site, other_site, card_payment
):
    Payment.objects.filter(pk=card_payment.pk).update(site=other_site)
    assert admin_client.get(refund_url(site, card_payment)).status_code == 404
    assert admin_client.post(refund_url(site, card_payment), {"amount": "1"}).status_code == 404


def test_refund_needs_the_csrf_token(admin, site, card_payment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(refund_url(site, card_payment), {"amount": "1"}).status_code == 403
    assert not Refund.objects.exists()


def test_retry_of_another_payments_refund_is_404(admin_client, site, card_payment, session):
    other = payment_row(site, session, "ZZZZZZZZZZZZ")
    foreign_refund = Refund.objects.create(payment=other, amount=Decimal("1.00"))
    response = admin_client.post(refund_url(site, card_payment), {"retry": foreign_refund.pk})
    assert response.status_code == 404


def test_the_beat_task_settles_a_refund_left_pending(card_payment, paypal_sandbox, admin, settings):
    from payments.tasks import resolve_pending_refunds

    settings.PAYPAL_TIMEOUT_SECONDS = 0.5
    paypal_sandbox.set_faults(delay_seconds=1.5)
    refund = refunds.refund_payment(card_payment, Decimal("20.00"), admin)
    assert refund.status == PaymentStatus.PENDING
    paypal_sandbox.set_faults()
    settings.PAYPAL_TIMEOUT_SECONDS = 5
    settings.PAYMENT_PENDING_GRACE_SECONDS = 0
    assert resolve_pending_refunds() == 1
    refund.refresh_from_db()
    assert refund.status == PaymentStatus.PAID
    assert resolve_pending_refunds() == 0
    assert len(credits(paypal_sandbox)) == 1

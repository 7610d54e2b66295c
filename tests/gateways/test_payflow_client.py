"""PayflowClient against the simulator over real HTTP: the CardGateway contract."""

from __future__ import annotations

import logging
import socket
import uuid
from decimal import Decimal

import pytest

from payments.gateways.base import CardDetails, GatewayTimeout, Outcome
from payments.gateways.payflow import PayflowClient
from payments.gateways.payflow_wire import (
    NOT_FOUND,
    custref_for,
    decode_nvp,
    encode_nvp,
    wire_request_id,
)
from payments.provider_gateways import (
    express_checkout_redirect_url,
    payflow_endpoint,
    payflow_gateways,
)

VISA = CardDetails(
    number="4111111111111111",
    exp_month=12,
    exp_year=2039,
    security_code="123",
    name="Ada Lovelace",
    postal_code="12345",
    street="123 Main St",
)
SECRETS = ("4111111111111111", "pilot-pass-1", "1239")


def make_client(sandbox, **options) -> PayflowClient:
    options = {"timeout": 5, "retry_backoff": 0.01} | options
    return PayflowClient(
        sandbox.payflow_url, "PayPal", "acmedemo", "acmedemo", "pilot-pass-1", **options
    )


@pytest.fixture
def client(paypal_sandbox):
    return make_client(paypal_sandbox)


def new_id() -> str:
    return uuid.uuid4().hex


def card(**changes) -> CardDetails:
    return CardDetails(**(VISA.__dict__ | changes))


def assert_no_secrets(result):
    assert not {"ACCT", "CVV2", "PWD", "EXPDATE"} & set(result.raw)
    for secret in SECRETS:
        assert secret not in repr(result)


# --- wire helpers --------------------------------------------------------------------------------


def test_encoding_length_tags_values_with_ampersand_or_equals():
    body = encode_nvp({"COMMENT1": "Level=5", "COMPANYNAME": "Ruff & Johnson", "AMT": "1.00"})
    assert body == b"COMMENT1[7]=Level=5&COMPANYNAME[14]=Ruff & Johnson&AMT=1.00"
    assert decode_nvp(body) == {
        "COMMENT1": "Level=5",
        "COMPANYNAME": "Ruff & Johnson",
        "AMT": "1.00",
    }
    assert decode_nvp(encode_nvp({"N": "Müller & Söhne"})) == {"N": "Müller & Söhne"}


def test_request_ids_fit_payflow_and_stay_stable():
    assert wire_request_id("order-17-attempt-1") == "order-17-attempt-1"
    long_id = str(uuid.UUID(int=7))  # 36 characters with hyphens
    assert len(wire_request_id(long_id)) == 32
    assert wire_request_id(long_id) == wire_request_id(long_id)
    assert len(custref_for(long_id)) == 12 and custref_for(long_id).isalnum()
    with pytest.raises(ValueError):
        wire_request_id("")


def test_endpoints_come_from_settings(settings):
    settings.PAYPAL_PAYFLOW_TEST_URL = "https://pilot.example/"
    settings.PAYPAL_PAYFLOW_LIVE_URL = "https://live.example/"
    settings.PAYPAL_EC_TEST_REDIRECT_URL = "https://sandbox.example/cgi-bin/webscr"
    settings.PAYPAL_EC_LIVE_REDIRECT_URL = "https://www.example/cgi-bin/webscr"
    assert payflow_endpoint("test") == "https://pilot.example/"
    assert payflow_endpoint("production") == "https://live.example/"
    assert express_checkout_redirect_url("test") == "https://sandbox.example/cgi-bin/webscr"
    assert express_checkout_redirect_url("live") == "https://www.example/cgi-bin/webscr"
    with pytest.raises(ValueError):
        payflow_endpoint("staging")


# --- sale ----------------------------------------------------------------------------------------


def test_sale_is_approved_with_a_reference(client, paypal_sandbox):
    result = client.sale(VISA, Decimal("15"), "usd", "sale-1", invoice="INV-1 & co")

    assert result.approved
    assert result.outcome is Outcome.APPROVED
    assert result.code == "0"
    assert len(result.reference) == 12
    assert result.message == "Payment approved."
    assert not result.duplicate
    assert result.raw["AVSADDR"] == "Y" and result.raw["CVV2MATCH"] == "Y"
    assert_no_secrets(result)
    [entry] = paypal_sandbox.ledger()
    assert (entry["kind"], entry["amount"], entry["currency"], entry["request_id"]) == (
        "sale",
        "15.00",
        "USD",
        "sale-1",
    )


@pytest.mark.parametrize(
    ("amount", "changes", "outcome", "code"),
    [
        ("1012.00", {}, Outcome.DECLINED, "12"),
        ("1013.00", {}, Outcome.DECLINED, "13"),
        ("1050.00", {}, Outcome.DECLINED, "50"),
        ("1112.00", {}, Outcome.DECLINED, "112"),
        ("1114.00", {}, Outcome.DECLINED, "114"),
        ("2500.00", {}, Outcome.DECLINED, "12"),
        ("10.00", {"number": "000000000000000"}, Outcome.DECLINED, "23"),
        ("10.00", {"number": "4000000000000002"}, Outcome.DECLINED, "23"),
        ("10.00", {"exp_month": 2, "exp_year": 1998}, Outcome.DECLINED, "24"),
        ("1104.00", {}, Outcome.ERROR, "104"),
    ],
)
def test_declines_and_errors_are_typed(client, paypal_sandbox, amount, changes, outcome, code):
    result = client.sale(card(**changes), Decimal(amount), "USD", new_id())
    assert (result.outcome, result.code) == (outcome, code)
    assert result.message and "RESULT" not in result.message
    assert_no_secrets(result)
    assert paypal_sandbox.ledger() == []


def test_wrong_password_is_a_configuration_error(paypal_sandbox):
    client = PayflowClient(paypal_sandbox.payflow_url, "PayPal", "acmedemo", "", "nope")
    result = client.sale(VISA, Decimal("5.00"), "USD", new_id())
    assert (result.outcome, result.code) == (Outcome.ERROR, "1")
    assert "organizer" in result.message


def test_uk_partner_charges_in_pounds(paypal_sandbox):
    client = PayflowClient(
        paypal_sandbox.payflow_url, "PayPalUK", "globexuk", "globexuk", "pilot-pass-uk-1"
    )
    result = client.sale(VISA, Decimal("9.99"), "GBP", new_id())
    assert result.approved
    assert paypal_sandbox.ledger()[0]["currency"] == "GBP"


def test_unsupported_currency_is_an_error(client):
    result = client.sale(VISA, Decimal("5.00"), "XYZ", new_id())
    assert (result.outcome, result.code) == (Outcome.ERROR, "6")


def test_nothing_secret_is_logged_or_shown(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.sale(VISA, Decimal("5.00"), "USD", new_id())
    client.sale(card(number="000000000000000"), Decimal("5.00"), "USD", new_id())
    for secret in (*SECRETS, "000000000000000"):
        assert secret not in caplog.text
    assert "pilot-pass-1" not in repr(client)


# --- idempotency ---------------------------------------------------------------------------------


def test_same_request_id_charges_once(client, paypal_sandbox):
    first = client.sale(VISA, Decimal("20.00"), "USD", "double-submit")
    second = client.sale(VISA, Decimal("20.00"), "USD", "double-submit")

    assert first.approved and second.approved
    assert second.duplicate and not first.duplicate
    assert second.reference == first.reference
    assert len(paypal_sandbox.ledger()) == 1


def test_long_request_ids_are_idempotent_too(client, paypal_sandbox):
    request_id = str(uuid.uuid4())
    first = client.sale(VISA, Decimal("20.00"), "USD", request_id)
    second = client.sale(VISA, Decimal("20.00"), "USD", request_id)
    assert second.duplicate and second.reference == first.reference
    assert client.inquiry(request_id=request_id).reference == first.reference


# --- time-outs and dropped connections -----------------------------------------------------------


def test_time_out_then_inquiry_by_request_id_finds_the_sale(paypal_sandbox):
    client = make_client(paypal_sandbox, timeout=0.5)
    paypal_sandbox.set_faults(delay_seconds=1.5)
    with pytest.raises(GatewayTimeout):
        client.sale(VISA, Decimal("15.00"), "USD", "slow-sale")
    paypal_sandbox.set_faults()

    found = client.inquiry(request_id="slow-sale")
    assert found.approved
    assert found.raw["TRANSSTATE"] == "6"
    assert [e["pnref"] for e in paypal_sandbox.ledger()] == [found.reference]


def test_drop_after_commit_then_inquiry_finds_the_sale(paypal_sandbox):
    client = make_client(paypal_sandbox, retries=0)
    paypal_sandbox.set_faults(drop_after_commit=1)
    with pytest.raises(GatewayTimeout):
        client.sale(VISA, Decimal("15.00"), "USD", "dropped-sale")

    found = client.inquiry(request_id="dropped-sale")
    assert found.approved
    assert [e["pnref"] for e in paypal_sandbox.ledger()] == [found.reference]


def test_a_dropped_answer_is_retried_with_the_same_request_id(paypal_sandbox):
    client = make_client(paypal_sandbox, retries=2)
    paypal_sandbox.set_faults(drop_after_commit=1)
    result = client.sale(VISA, Decimal("15.00"), "USD", "retried-sale")

    assert result.approved and result.duplicate  # the original answer, replayed
    assert [e["request_id"] for e in paypal_sandbox.ledger()] == ["retried-sale"]


def test_every_retry_dropped_is_a_time_out_and_charges_once(paypal_sandbox):
    client = make_client(paypal_sandbox, retries=2)
    paypal_sandbox.set_faults(drop_after_commit=3)
    with pytest.raises(GatewayTimeout):
        client.sale(VISA, Decimal("15.00"), "USD", "unlucky-sale")
    paypal_sandbox.set_faults()
    assert len(paypal_sandbox.ledger()) == 1
    assert client.inquiry(request_id="unlucky-sale").approved


def test_an_unreachable_host_is_a_time_out():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PayflowClient(
        f"http://127.0.0.1:{port}/", "PayPal", "v", "v", "p", timeout=1, retry_backoff=0
    )
    with pytest.raises(GatewayTimeout):
        client.sale(VISA, Decimal("1.00"), "USD", new_id())


def test_inquiry_for_a_request_that_never_arrived(client):
    result = client.inquiry(request_id="never-sent")
    assert (result.outcome, result.code) == (Outcome.ERROR, NOT_FOUND)
    with pytest.raises(ValueError):
        client.inquiry()


def test_inquiry_of_a_declined_sale_is_declined(client):
    declined = client.sale(VISA, Decimal("1012.00"), "USD", "declined-sale")
    found = client.inquiry(reference=declined.reference)
    assert (found.outcome, found.code, found.reference) == (
        Outcome.DECLINED,
        "12",
        declined.reference,
    )


# --- authorization, capture, void, credit --------------------------------------------------------


def test_authorize_capture_and_capture_again(client, paypal_sandbox):
    auth = client.authorize(VISA, Decimal("40.00"), "USD", new_id())
    assert auth.approved and paypal_sandbox.ledger() == []
    assert client.inquiry(reference=auth.reference).raw["TRANSSTATE"] == "3"

    captured = client.capture(auth.reference, Decimal("30.00"), new_id())
    again = client.capture(auth.reference, None, new_id())

    assert captured.approved
    assert (again.outcome, again.code) == (Outcome.ERROR, "111")
    assert [(e["kind"], e["amount"]) for e in paypal_sandbox.ledger()] == [("capture", "30.00")]
    assert client.inquiry(reference=auth.reference).raw["TRANSSTATE"] == "9"


def test_void_an_authorization_and_void_after_capture(client, paypal_sandbox):
    voidable = client.authorize(VISA, Decimal("10.00"), "USD", new_id())
    assert client.void(voidable.reference, new_id()).approved

    captured = client.authorize(VISA, Decimal("10.00"), "USD", new_id())
    client.capture(captured.reference, None, new_id())
    late = client.void(captured.reference, new_id())
    assert (late.outcome, late.code) == (Outcome.ERROR, "108")
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["capture"]


def test_credit_in_full_in_part_and_too_much(client, paypal_sandbox):
    full = client.sale(VISA, Decimal("30.00"), "USD", new_id())
    assert client.credit(full.reference, None, new_id()).approved

    partial = client.sale(VISA, Decimal("30.00"), "USD", new_id())
    assert client.credit(partial.reference, Decimal("12.50"), new_id()).approved
    over = client.credit(partial.reference, Decimal("17.51"), new_id())
    assert (over.outcome, over.code) == (Outcome.ERROR, "105")
    assert client.credit(partial.reference, Decimal("17.50"), new_id()).approved

    credits = [e["amount"] for e in paypal_sandbox.ledger() if e["kind"] == "credit"]
    assert credits == ["30.00", "12.50", "17.50"]


def test_credit_retry_with_the_same_id_refunds_once(client, paypal_sandbox):
    paid = client.sale(VISA, Decimal("30.00"), "USD", new_id())
    first = client.credit(paid.reference, Decimal("5.00"), "refund-1")
    again = client.credit(paid.reference, Decimal("5.00"), "refund-1")
    assert first.approved and again.duplicate
    assert [e["kind"] for e in paypal_sandbox.ledger()].count("credit") == 1


def test_gateways_factory_uses_the_settings(paypal_sandbox):
    cards, checkout = payflow_gateways(
        "test", partner="PayPal", vendor="acmedemo", user="acmedemo", password="pilot-pass-1"
    )
    assert cards.endpoint_url == paypal_sandbox.payflow_url
    assert checkout.redirect_url == paypal_sandbox.base_url + "/cgi-bin/webscr"
    assert cards.sale(VISA, Decimal("3.00"), "USD", new_id()).approved

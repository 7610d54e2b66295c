"""PayPalOrdersGateway (Orders v2 through paypal-server-sdk) against the simulator over HTTP.

Every exchange goes through ``ValidatingSession``: each request and response is checked
against PayPal's OpenAPI documents as it happens.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest

from payments.gateways.base import GatewayError, GatewayTimeout, Outcome
from payments.gateways.paypal_orders import PayPalOrdersGateway
from payments.gateways.paypal_rest import PayPalOAuth
from payments.provider_gateways import paypal_orders_gateway
from tests.sandbox.openapi import ValidatingSession, follow_to_return

CLIENT_ID = "sandbox-platform-client"
SECRET = "sandbox-platform-secret"
PAYEE = "organizer@acme.example.com"


@pytest.fixture
def session():
    session = ValidatingSession()
    yield session
    session.close()


@pytest.fixture
def gateway(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    return PayPalOrdersGateway(
        paypal_sandbox.base_url, CLIENT_ID, SECRET, PAYEE, timeout=5, session=session
    )


def urls(paypal_sandbox):
    base = paypal_sandbox.base_url
    return base + "/merchant/return?payment=42", base + "/merchant/cancel?payment=42"


def start(gateway, paypal_sandbox, request_id="attempt-1", amount="15.00", **kwargs):
    return_url, cancel_url = urls(paypal_sandbox)
    return gateway.start_checkout(
        Decimal(amount), "USD", return_url, cancel_url, request_id, description="Webinar", **kwargs
    )


def approved_checkout(gateway, paypal_sandbox, session, request_id="attempt-1", amount="15.00"):
    checkout = start(gateway, paypal_sandbox, request_id, amount)
    query = follow_to_return(session, checkout.approval_url, "Approve and pay")
    return checkout, query


def test_token_comes_from_the_platform_credentials(gateway, session):
    token = gateway.oauth.access_token()
    assert token
    assert gateway.oauth.access_token() == token  # cached
    [exchange] = session.validated("oauth")
    assert exchange.status == 200


def test_wrong_secret_is_a_configuration_error(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    gateway = PayPalOrdersGateway(
        paypal_sandbox.base_url, CLIENT_ID, "not-the-secret", PAYEE, timeout=5, session=session
    )
    with pytest.raises(GatewayError, match="invalid_client") as excinfo:
        start(gateway, paypal_sandbox)
    assert "not-the-secret" not in str(excinfo.value)
    assert [e.status for e in session.validated()] == [401]


def test_create_approve_capture(gateway, paypal_sandbox, session):
    checkout = start(gateway, paypal_sandbox)
    assert checkout.result.approved
    assert checkout.result.code == "CREATED"
    assert checkout.approval_url == f"{paypal_sandbox.base_url}/checkoutnow?token={checkout.token}"

    query = follow_to_return(session, checkout.approval_url, "Approve and pay")
    assert query["payment"] == "42"
    assert query["token"] == checkout.token
    assert len(query["PayerID"]) == 13

    pending = gateway.lookup(checkout.token)
    assert pending.outcome is Outcome.ERROR and pending.code == "APPROVED"
    assert paypal_sandbox.ledger() == []

    result = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "attempt-1"
    )
    assert result.approved
    assert result.code == "COMPLETED"
    assert result.order_id == checkout.token
    assert result.reference and not result.duplicate
    [entry] = paypal_sandbox.ledger()
    assert entry["protocol"] == "rest"
    assert entry["kind"] == "capture"
    assert entry["id"] == result.reference
    assert (entry["amount"], entry["currency"], entry["payee"]) == ("15.00", "USD", PAYEE)
    assert entry["request_id"] == "attempt-1"

    looked_up = gateway.lookup(checkout.token)
    assert looked_up.approved and looked_up.reference == result.reference
    documents = {e.document for e in session.validated()}
    assert documents == {"oauth", "orders"}


def test_cancel_returns_to_the_cancel_url(gateway, paypal_sandbox, session):
    checkout = start(gateway, paypal_sandbox)
    query = follow_to_return(session, checkout.approval_url, "Cancel")
    assert query == {"payment": "42", "token": checkout.token}
    assert gateway.lookup(checkout.token).code == "CREATED"


def test_capture_before_approval_is_refused(gateway, paypal_sandbox):
    checkout = start(gateway, paypal_sandbox)
    result = gateway.complete_checkout(checkout.token, "", Decimal("15.00"), "USD", "attempt-1")
    assert result.outcome is Outcome.ERROR
    assert result.code == "ORDER_NOT_APPROVED"
    assert result.raw["http_status"] == 422 and result.raw["debug_id"]
    assert paypal_sandbox.ledger() == []


def test_replayed_create_returns_the_same_order(gateway, paypal_sandbox, session):
    first = start(gateway, paypal_sandbox, "attempt-7")
    again = start(gateway, paypal_sandbox, "attempt-7")
    assert again.token == first.token
    assert again.approval_url == first.approval_url
    assert again.result.duplicate and not first.result.duplicate
    assert [e.status for e in session.validated("orders")] == [201, 200]


def test_replayed_capture_charges_once(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    first = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-1"
    )
    again = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-1"
    )
    assert first.approved and again.approved
    assert again.reference == first.reference
    assert again.duplicate and not first.duplicate
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["capture"]


def test_capture_under_a_new_id_reports_the_existing_capture(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    first = gateway.complete_checkout(checkout.token, "", Decimal("15.00"), "USD", "capture-1")
    other = gateway.complete_checkout(checkout.token, "", Decimal("15.00"), "USD", "capture-2")
    assert other.approved and other.duplicate
    assert other.reference == first.reference
    assert len(paypal_sandbox.ledger()) == 1


def test_instrument_declined_is_a_decline_with_a_plain_message(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    result = gateway.complete_checkout(
        checkout.token,
        query["PayerID"],
        Decimal("15.00"),
        "USD",
        "capture-1",
        mock_response="INSTRUMENT_DECLINED",
    )
    assert result.outcome is Outcome.DECLINED
    assert result.code == "INSTRUMENT_DECLINED"
    assert "PayPal" in result.message and "instrument" not in result.message.lower()
    assert paypal_sandbox.ledger() == []
    # The decline changed nothing: the buyer's next try (same attempt id) goes through.
    retry = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-1"
    )
    assert retry.approved and not retry.duplicate
    assert len(paypal_sandbox.ledger()) == 1


def test_internal_server_error_on_capture_is_no_answer_and_the_same_id_collects_once(
    gateway, paypal_sandbox, session
):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    with pytest.raises(GatewayTimeout, match="HTTP 500"):
        gateway.complete_checkout(
            checkout.token,
            query["PayerID"],
            Decimal("15.00"),
            "USD",
            "capture-1",
            mock_response='{"mock_application_codes":"INTERNAL_SERVER_ERROR"}',
        )
    assert paypal_sandbox.ledger() == []
    # PayPal's 5xx after the capture was committed: the retry with the same id gets it back.
    paypal_sandbox.set_faults(fail_after_commit=1, only_matching="/capture")
    with pytest.raises(GatewayTimeout):
        gateway.complete_checkout(
            checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-2"
        )
    retry = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-2"
    )
    assert retry.approved and retry.duplicate
    assert len(paypal_sandbox.ledger()) == 1


def test_a_pending_capture_is_held_with_paypals_reason(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    paypal_sandbox.set_faults(capture_pending_reason="PENDING_REVIEW")
    result = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "capture-1"
    )
    assert result.held and result.pending_reason == "PENDING_REVIEW"
    assert gateway.lookup(checkout.token).held
    assert paypal_sandbox.ledger() == []
    paypal_sandbox.settle_capture(result.reference, "completed")
    assert gateway.lookup(checkout.token).approved
    assert len(paypal_sandbox.ledger()) == 1


def test_descriptions_are_cut_to_paypals_maximum(gateway, paypal_sandbox):
    checkout = gateway.start_checkout(
        Decimal("15.00"),
        "USD",
        "https://shop.example/return",
        "https://shop.example/cancel",
        "create-long",
        description="Keynote " * 40,
    )
    assert checkout.approval_url  # PayPal refuses a description over 127 characters
    unit = gateway.lookup(checkout.token).raw["body"]["purchase_units"][0]
    assert len(unit["description"]) <= 127


def test_mock_response_set_on_the_gateway_applies_to_create(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    gateway = PayPalOrdersGateway(
        paypal_sandbox.base_url,
        CLIENT_ID,
        SECRET,
        PAYEE,
        timeout=5,
        session=session,
        mock_response="PAYEE_ACCOUNT_RESTRICTED",
    )
    checkout = start(gateway, paypal_sandbox)
    assert checkout.token == "" and checkout.approval_url == ""
    assert checkout.result.outcome is Outcome.ERROR
    assert checkout.result.code == "PAYEE_ACCOUNT_RESTRICTED"


def test_unknown_order_lookup_is_an_error(gateway):
    result = gateway.lookup("0ABCDEF123456789X")
    assert result.outcome is Outcome.ERROR
    assert result.code == "INVALID_RESOURCE_ID"


@pytest.fixture
def captured(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session, amount="40.00")
    result = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("40.00"), "USD", "capture-1"
    )
    assert result.approved
    return result


def test_full_refund(gateway, paypal_sandbox, captured, session):
    refund = gateway.refund(captured.reference, None, "USD", "refund-1")
    assert refund.approved and refund.code == "COMPLETED"
    assert refund.reference and refund.reference != captured.reference
    assert refund.raw["body"]["amount"] == {"currency_code": "USD", "value": "40.00"}
    kinds = [(e["kind"], e["amount"]) for e in paypal_sandbox.ledger()]
    assert kinds == [("capture", "40.00"), ("refund", "40.00")]
    again = gateway.refund(captured.reference, None, "USD", "refund-2")
    assert again.outcome is Outcome.ERROR and again.code == "CAPTURE_FULLY_REFUNDED"
    assert "payments" in {e.document for e in session.validated()}


def test_partial_refunds_then_over_refund(gateway, paypal_sandbox, captured):
    first = gateway.refund(captured.reference, Decimal("15.00"), "USD", "refund-1")
    second = gateway.refund(captured.reference, Decimal("20"), "USD", "refund-2")
    assert first.approved and second.approved
    over = gateway.refund(captured.reference, Decimal("5.01"), "USD", "refund-3")
    assert over.outcome is Outcome.ERROR
    assert over.code == "REFUND_AMOUNT_EXCEEDED"
    rest = gateway.refund(captured.reference, Decimal("5.00"), "USD", "refund-4")
    assert rest.approved
    refunds = [e["amount"] for e in paypal_sandbox.ledger() if e["kind"] == "refund"]
    assert refunds == ["15.00", "20.00", "5.00"]


def test_replayed_refund_refunds_once(gateway, paypal_sandbox, captured):
    first = gateway.refund(captured.reference, Decimal("10.00"), "USD", "refund-1")
    again = gateway.refund(captured.reference, Decimal("10.00"), "USD", "refund-1")
    assert again.reference == first.reference
    assert len([e for e in paypal_sandbox.ledger() if e["kind"] == "refund"]) == 1


def test_time_out_raises_gateway_timeout_and_lookup_resolves(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    slow = PayPalOrdersGateway(
        paypal_sandbox.base_url, CLIENT_ID, SECRET, PAYEE, timeout=0.5, session=session
    )
    slow.oauth.access_token()  # the token is cached before the simulator slows down
    paypal_sandbox.set_faults(delay_seconds=1.5)
    with pytest.raises(GatewayTimeout):
        slow.complete_checkout(checkout.token, query["PayerID"], Decimal("15.00"), "USD", "cap-1")
    paypal_sandbox.set_faults()
    # The slow capture went through after the client gave up: lookup finds the money.
    looked_up = gateway.lookup(checkout.token)
    assert looked_up.approved
    assert [e["id"] for e in paypal_sandbox.ledger()] == [looked_up.reference]


def test_dropped_answer_then_retry_with_same_id_charges_once(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    gateway.oauth.access_token()
    paypal_sandbox.set_faults(drop_after_commit=1)
    with pytest.raises(GatewayTimeout):
        gateway.complete_checkout(
            checkout.token, query["PayerID"], Decimal("15.00"), "USD", "cap-1"
        )
    retry = gateway.complete_checkout(
        checkout.token, query["PayerID"], Decimal("15.00"), "USD", "cap-1"
    )
    assert retry.approved and retry.duplicate
    assert len(paypal_sandbox.ledger()) == 1


def test_revoked_token_is_renewed_once(gateway, paypal_sandbox, session):
    gateway.oauth.access_token()
    paypal_sandbox.reset()  # the simulator forgets every token it issued
    checkout = start(gateway, paypal_sandbox)
    assert checkout.result.approved
    statuses = [(e.document, e.status) for e in session.validated()]
    assert statuses == [("oauth", 200), ("orders", 401), ("oauth", 200), ("orders", 201)]


def test_secrets_and_tokens_stay_out_of_results_and_logs(gateway, paypal_sandbox, session, caplog):
    caplog.set_level(logging.DEBUG)
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    result = gateway.complete_checkout(checkout.token, query["PayerID"], Decimal("15"), "USD", "c")
    token = gateway.oauth.access_token()
    dumped = json.dumps([checkout.result.raw, result.raw]) + repr(gateway) + repr(gateway.oauth)
    for secret in (SECRET, token):
        assert secret not in dumped
        assert secret not in caplog.text
    assert "PayPal capture order: HTTP 201" in caplog.text


def test_gateway_from_settings_uses_the_configured_endpoint(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    gateway = paypal_orders_gateway("test", payee_email=PAYEE, session=session)
    assert gateway.base_url == paypal_sandbox.base_url
    checkout = start(gateway, paypal_sandbox)
    assert checkout.approval_url.startswith(paypal_sandbox.base_url)
    with pytest.raises(ValueError):
        paypal_orders_gateway("staging", payee_email=PAYEE)


def test_every_exchange_is_checked_against_the_documents(gateway, paypal_sandbox, session):
    checkout, query = approved_checkout(gateway, paypal_sandbox, session)
    result = gateway.complete_checkout(checkout.token, "", Decimal("15.00"), "USD", "c-1")
    gateway.refund(result.reference, Decimal("1.00"), "USD", "r-1")
    gateway.lookup(checkout.token)
    checked = [(e.method, e.document, e.status) for e in session.validated()]
    assert checked == [
        ("POST", "oauth", 200),
        ("POST", "orders", 201),
        ("POST", "orders", 201),
        ("POST", "payments", 201),
        ("GET", "orders", 200),
    ]
    assert all(not e.request_errors and not e.response_errors for e in session.validated())

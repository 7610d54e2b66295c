"""PayPal's awkward REST answers, produced on demand and checked against its documents: 500
before or after the capture or refund, PENDING captures settled later, an order approved
without the buyer coming back, request ids that expire, and three-party refunds."""

from __future__ import annotations

import base64
import json
import urllib.error

import pytest

from tests.sandbox.openapi import ValidatingSession
from tests.sandbox.test_rest_orders import CLIENT, PAYEE, Api, order_body
from tests.sandbox.test_rest_refunds_referrals import refund, show_capture

MERCHANT_ID = "7MERCHANT2345"
HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def api(paypal_sandbox):
    session = ValidatingSession()
    yield Api(paypal_sandbox.base_url, session)
    session.close()


def approved_order(api: Api, body=None) -> str:
    order_id = api.create(body).json()["id"]
    api.approve(order_id)
    return order_id


def capture_of(body: dict) -> dict:
    return body["purchase_units"][0]["payments"]["captures"][0]


def kinds(sandbox, kind: str) -> list[dict]:
    return [entry for entry in sandbox.ledger() if entry["kind"] == kind]


def assertion(payer_id: str, iss: str = CLIENT[0]) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'iss': iss, 'payer_id': payer_id})}."


# --- 500 before and after the effect ---------------------------------------------------------


def test_capture_500_after_commit_then_the_same_request_id_gets_the_capture(api, paypal_sandbox):
    order_id = approved_order(api)
    paypal_sandbox.set_faults(fail_after_commit=1, only_matching="/capture")
    failed = api.capture(order_id, request_id="cap-1")
    assert failed.status_code == 500
    assert failed.json()["name"] == "INTERNAL_SERVER_ERROR"
    assert len(kinds(paypal_sandbox, "capture")) == 1  # captured although the answer was 500
    again = api.capture(order_id, request_id="cap-1")
    assert again.status_code == 200
    assert capture_of(again.json())["id"] == kinds(paypal_sandbox, "capture")[0]["id"]
    assert len(kinds(paypal_sandbox, "capture")) == 1


def test_refund_500_before_commit_then_the_retry_refunds_once(api, paypal_sandbox):
    capture_id = capture_of(api.capture(approved_order(api)).json())["id"]
    paypal_sandbox.set_faults(fail_before=1, only_matching="/refund")
    assert refund(api, capture_id, "5.00", request_id="ref-1").status_code == 500
    assert kinds(paypal_sandbox, "refund") == []
    assert refund(api, capture_id, "5.00", request_id="ref-1").status_code == 201
    assert refund(api, capture_id, "5.00", request_id="ref-1").status_code == 201  # replay
    assert [entry["amount"] for entry in kinds(paypal_sandbox, "refund")] == ["5.00"]


def test_faults_never_touch_control_routes(api, paypal_sandbox):
    paypal_sandbox.set_faults(fail_before=5)
    assert paypal_sandbox.ledger() == []
    faults = api.session.get(api.base + "/_sandbox/faults").json()
    assert faults["fail_before"] == 5


# --- pending captures ---------------------------------------------------------------------------


def test_pending_capture_then_completed(api, paypal_sandbox):
    order_id = approved_order(api)
    paypal_sandbox.set_faults(capture_pending_reason="PENDING_REVIEW")
    answer = api.capture(order_id, Prefer="return=representation")
    assert answer.status_code == 201
    body = answer.json()
    capture = capture_of(body)
    assert body["status"] == "COMPLETED"  # the order is done; its capture is not
    assert capture["status"] == "PENDING"
    assert capture["status_details"] == {"reason": "PENDING_REVIEW"}
    assert kinds(paypal_sandbox, "capture") == []
    pending_refund = refund(api, capture["id"])
    assert pending_refund.status_code == 422
    assert pending_refund.json()["details"][0]["issue"] == "PENDING_CAPTURE"
    paypal_sandbox.set_faults()
    paypal_sandbox.settle_capture(capture["id"], "completed")
    shown = show_capture(api, capture["id"]).json()
    assert shown["status"] == "COMPLETED" and "status_details" not in shown
    assert [entry["id"] for entry in kinds(paypal_sandbox, "capture")] == [capture["id"]]


def test_pending_capture_then_denied(api, paypal_sandbox):
    order_id = approved_order(api)
    paypal_sandbox.set_faults(capture_pending_reason="UNILATERAL")
    capture = capture_of(api.capture(order_id).json())
    assert capture["status"] == "PENDING"
    paypal_sandbox.settle_capture(capture["id"], "denied")
    shown = show_capture(api, capture["id"]).json()
    assert shown["status"] == "DECLINED"
    assert shown["status_details"] == {"reason": "UNILATERAL"}
    assert kinds(paypal_sandbox, "capture") == []
    with pytest.raises(urllib.error.HTTPError, match="404"):
        paypal_sandbox.settle_capture(capture["id"], "completed")  # no longer pending


# --- approval without return ----------------------------------------------------------------------


def test_order_approved_on_paypal_without_coming_back(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    assert paypal_sandbox.approve_order(order_id) == {"id": order_id, "status": "APPROVED"}
    order = api.get(order_id).json()
    assert order["status"] == "APPROVED" and order["payer"]["payer_id"]
    assert api.capture(order_id).status_code == 201


def test_buyer_approves_but_never_returns(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    paypal_sandbox.set_faults(approve_without_return=True, only_matching=order_id)
    page = api.session.post(
        api.base + "/checkoutnow/approve", data={"token": order_id}, allow_redirects=False
    )
    assert page.status_code == 200 and "close this window" in page.text
    assert api.get(order_id).json()["status"] == "APPROVED"


# --- request ids expire ---------------------------------------------------------------------------


def test_orders_request_id_expires_after_six_hours(api, paypal_sandbox):
    first = api.create(request_id="order-key").json()["id"]
    paypal_sandbox.advance_clock(6 * HOUR - 60)
    assert api.create(request_id="order-key").json()["id"] == first
    paypal_sandbox.advance_clock(60)
    api.token = api.fetch_token().json()["access_token"]
    assert api.create(request_id="order-key").json()["id"] != first


def test_payments_request_id_expires_after_45_days(api, paypal_sandbox):
    capture_id = capture_of(api.capture(approved_order(api)).json())["id"]
    first = refund(api, capture_id, "1.00", request_id="refund-key").json()["id"]
    paypal_sandbox.advance_clock(45 * DAY - 60)
    api.token = api.fetch_token().json()["access_token"]
    assert refund(api, capture_id, "1.00", request_id="refund-key").json()["id"] == first
    paypal_sandbox.advance_clock(60)
    assert refund(api, capture_id, "1.00", request_id="refund-key").json()["id"] != first
    assert len(kinds(paypal_sandbox, "refund")) == 2  # a second refund under the old key


def test_tokens_expire_on_the_simulators_clock(api, paypal_sandbox):
    paypal_sandbox.advance_clock(9 * HOUR)
    with api.session.invalid_requests_allowed():
        assert api.create().status_code == 401


# --- three-party refunds --------------------------------------------------------------------------


@pytest.fixture
def merchant_capture(api, paypal_sandbox):
    paypal_sandbox.register_merchant(PAYEE, MERCHANT_ID)
    return capture_of(api.capture(approved_order(api)).json())["id"]


@pytest.mark.parametrize(
    "header",
    [None, "not-a-jwt", assertion("9OTHERMERCHNT"), assertion(MERCHANT_ID, iss="someone-else")],
)
def test_three_party_refund_needs_an_assertion_naming_the_merchant(
    api, paypal_sandbox, merchant_capture, header
):
    extra = {"PayPal-Auth-Assertion": header} if header else {}
    answer = refund(api, merchant_capture, **extra)
    assert answer.status_code == 403
    assert answer.json()["name"] == "NOT_AUTHORIZED"
    assert answer.json()["details"][0]["issue"] == "PERMISSION_DENIED"
    assert kinds(paypal_sandbox, "refund") == []


def test_three_party_refund_with_the_merchants_assertion(api, paypal_sandbox, merchant_capture):
    answer = refund(api, merchant_capture, **{"PayPal-Auth-Assertion": assertion(MERCHANT_ID)})
    assert answer.status_code == 201
    assert kinds(paypal_sandbox, "refund")[0]["acting_for"] == MERCHANT_ID


def test_no_refund_for_a_merchant_who_revoked_consent(api, paypal_sandbox, merchant_capture):
    paypal_sandbox.revoke_consent(MERCHANT_ID)
    answer = refund(api, merchant_capture, **{"PayPal-Auth-Assertion": assertion(MERCHANT_ID)})
    assert answer.status_code == 403


def test_the_platforms_own_capture_needs_no_assertion(api, paypal_sandbox):
    body = order_body(api.base)
    del body["purchase_units"][0]["payee"]
    capture_id = capture_of(api.capture(approved_order(api, body)).json())["id"]
    assert refund(api, capture_id).status_code == 201

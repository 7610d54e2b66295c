"""The simulator's webhooks over real HTTP: signed events sent to a listener, each body
checked against PayPal's Webhooks document, and verify-webhook-signature telling the events it
sent from anything else."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.sandbox.openapi import (
    ValidatingSession,
    follow_to_return,
    webhook_event_errors,
    webhooks_exchange_errors,
)
from tests.sandbox.test_rest_faults import approved_order, assertion, capture_of
from tests.sandbox.test_rest_orders import PAYEE, Api
from tests.sandbox.test_rest_refunds_referrals import referral_body, refund

HEADERS = (
    "PAYPAL-TRANSMISSION-ID",
    "PAYPAL-TRANSMISSION-TIME",
    "PAYPAL-TRANSMISSION-SIG",
    "PAYPAL-CERT-URL",
    "PAYPAL-AUTH-ALGO",
)
WEBHOOK_ID = "8PT597110X687430L"


class Listener(ThreadingHTTPServer):
    """A merchant's webhook endpoint: records each POST, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.upper(): value for name, value in self.headers.items()}
                listener.received.append({"headers": headers, "body": body})
                self.send_response(listener.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/paypal/webhooks/"


@pytest.fixture
def listener(paypal_sandbox):
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paypal_sandbox.configure_webhooks(server.url, WEBHOOK_ID)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def api(paypal_sandbox):
    session = ValidatingSession()
    yield Api(paypal_sandbox.base_url, session)
    session.close()


def events(paypal_sandbox, count: int) -> list[dict]:
    """The first ``count`` deliveries, each with its parsed ``event``.

    In the order they were made when each waited for the one before; otherwise in the order
    they finished (PayPal does not promise any order either).
    """
    log = paypal_sandbox.wait_for_deliveries(count)
    return [{**delivery, "event": json.loads(delivery["body"])} for delivery in log]


def by_type(deliveries: list[dict]) -> dict[str, dict]:
    """Deliveries keyed by event type (each type sent once)."""
    keyed = {delivery["event_type"]: delivery for delivery in deliveries}
    assert len(keyed) == len(deliveries)
    return keyed


def verify(api: Api, delivery: dict, **changes) -> requests.Response:
    """Ask verify-webhook-signature about a delivery, optionally with fields changed."""
    headers = delivery["headers"]
    body = {
        "auth_algo": headers["PAYPAL-AUTH-ALGO"],
        "cert_url": headers["PAYPAL-CERT-URL"],
        "transmission_id": headers["PAYPAL-TRANSMISSION-ID"],
        "transmission_sig": headers["PAYPAL-TRANSMISSION-SIG"],
        "transmission_time": headers["PAYPAL-TRANSMISSION-TIME"],
        "webhook_id": WEBHOOK_ID,
        "webhook_event": json.loads(delivery["body"]),
        **changes,
    }
    answer = requests.post(
        api.base + "/v1/notifications/verify-webhook-signature",
        json=body,
        headers=api.headers(),
        timeout=10,
    )
    assert webhooks_exchange_errors(answer) == []
    return answer


def status_of(answer: requests.Response) -> str:
    assert answer.status_code == 200
    return answer.json()["verification_status"]


def assert_valid_events(api: Api, deliveries: list[dict]) -> None:
    for delivery in deliveries:
        assert webhook_event_errors(api.base, delivery["event"]) == [], delivery["event_type"]


def test_approval_and_capture_send_signed_events_that_verify(api, paypal_sandbox, listener):
    order_id = approved_order(api)
    capture_id = capture_of(api.capture(order_id).json())["id"]
    sent = events(paypal_sandbox, 2)
    assert_valid_events(api, sent)
    keyed = by_type(sent)
    approved = keyed["CHECKOUT.ORDER.APPROVED"]["event"]
    completed = keyed["PAYMENT.CAPTURE.COMPLETED"]["event"]
    assert approved["resource"]["id"] == order_id and approved["resource"]["status"] == "APPROVED"
    assert completed["resource"]["id"] == capture_id
    assert completed["resource"]["supplementary_data"]["related_ids"]["order_id"] == order_id
    assert completed["id"].startswith("WH-") and completed["resource_type"] == "capture"
    assert [d["status"] for d in sent] == [200, 200]
    received = {r["headers"]["PAYPAL-TRANSMISSION-ID"]: r for r in listener.received}
    for delivery in sent:
        got = received[delivery["transmission_id"]]
        assert got["body"] == delivery["body"].encode()
        for header in HEADERS:
            assert got["headers"][header] == delivery["headers"][header]
        assert status_of(verify(api, delivery)) == "SUCCESS"


def test_verification_fails_for_anything_the_simulator_did_not_send(api, paypal_sandbox, listener):
    approved_order(api)
    [delivery] = events(paypal_sandbox, 1)
    forged_event = {**delivery["event"], "summary": "A forged summary"}
    for changes in (
        {"webhook_event": forged_event},
        {"transmission_sig": "f" * 64},
        {"transmission_id": "69cd13f0-d67a-11e5-baa3-778b53f4ae55"},
        {"transmission_time": "2030-01-01T00:00:00Z"},
        {"cert_url": "https://evil.example/cert.pem"},
        {"webhook_id": "ANOTHERWEBHOOK1"},
    ):
        assert status_of(verify(api, delivery, **changes)) == "FAILURE", changes
    assert status_of(verify(api, delivery)) == "SUCCESS"


def test_verification_needs_a_bearer_token_and_every_field(api, paypal_sandbox, listener):
    approved_order(api)
    [delivery] = events(paypal_sandbox, 1)
    no_token = requests.post(
        api.base + "/v1/notifications/verify-webhook-signature", json={}, timeout=10
    )
    assert no_token.status_code == 401
    body = {"webhook_id": WEBHOOK_ID, "webhook_event": delivery["event"]}
    partial = requests.post(
        api.base + "/v1/notifications/verify-webhook-signature",
        json=body,
        headers=api.headers(),
        timeout=10,
    )
    assert partial.status_code == 400
    assert partial.json()["details"][0]["issue"] == "MISSING_REQUIRED_PARAMETER"


def test_redelivery_new_transmission_or_exact_replay(api, paypal_sandbox, listener):
    approved_order(api)
    [first] = events(paypal_sandbox, 1)
    paypal_sandbox.redeliver(first["event_id"])
    resent = events(paypal_sandbox, 2)[1]
    paypal_sandbox.redeliver(first["event_id"], same_transmission=True)
    replayed = events(paypal_sandbox, 3)[2]
    assert resent["event_id"] == replayed["event_id"] == first["event_id"]
    assert resent["body"] == first["body"]
    assert resent["transmission_id"] != first["transmission_id"]
    assert replayed["headers"] == first["headers"] and replayed["body"] == first["body"]
    assert status_of(verify(api, resent)) == "SUCCESS"
    assert len(listener.received) == 3


def test_pending_then_denied_refund_and_reversal_events(api, paypal_sandbox, listener):
    paypal_sandbox.set_faults(capture_pending_reason="ECHECK")
    order_id = approved_order(api)
    events(paypal_sandbox, 1)
    pending = capture_of(api.capture(order_id).json())["id"]
    events(paypal_sandbox, 2)
    paypal_sandbox.set_faults()
    paypal_sandbox.settle_capture(pending, "denied")
    events(paypal_sandbox, 3)
    paid = capture_of(api.capture(approved_order(api)).json())["id"]
    events(paypal_sandbox, 5)
    refund(api, paid, "4.00")
    events(paypal_sandbox, 6)
    paypal_sandbox.reverse_capture(paid)
    sent = events(paypal_sandbox, 7)
    assert [d["event_type"] for d in sent if "CAPTURE" in d["event_type"]] == [
        "PAYMENT.CAPTURE.PENDING",
        "PAYMENT.CAPTURE.DENIED",
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.CAPTURE.REFUNDED",
        "PAYMENT.CAPTURE.REVERSED",
    ]
    assert_valid_events(api, sent)
    by_type = {d["event_type"]: d["event"]["resource"] for d in sent}
    assert by_type["PAYMENT.CAPTURE.PENDING"]["status_details"] == {"reason": "ECHECK"}
    assert by_type["PAYMENT.CAPTURE.DENIED"]["status"] == "DECLINED"
    assert by_type["PAYMENT.CAPTURE.REFUNDED"]["amount"]["value"] == "4.00"
    reversed_ = by_type["PAYMENT.CAPTURE.REVERSED"]
    assert reversed_["amount"]["value"] == "11.00"  # what was left of 15.00
    assert paypal_sandbox.ledger()[-1]["kind"] == "reversal"
    capture = api.session.get(f"{api.base}/v2/payments/captures/{paid}", headers=api.headers())
    assert capture.json()["status_details"] == {"reason": "CHARGEBACK"}
    assert all(status_of(verify(api, d)) == "SUCCESS" for d in sent)


def test_onboarding_and_consent_revocation_events(api, paypal_sandbox, listener):
    body = referral_body(api.base, email=PAYEE)
    created = api.session.post(
        api.base + "/v2/customer/partner-referrals", json=body, headers=api.headers()
    )
    [action_url] = [x["href"] for x in created.json()["links"] if x["rel"] == "action_url"]
    query = follow_to_return(api.session, action_url, "Grant permission")
    merchant_id = query["merchantIdInPayPal"]
    paypal_sandbox.revoke_consent(merchant_id)
    keyed = by_type(events(paypal_sandbox, 2))
    onboarded = keyed["MERCHANT.ONBOARDING.COMPLETED"]
    revoked = keyed["MERCHANT.PARTNER-CONSENT.REVOKED"]
    assert_valid_events(api, [onboarded, revoked])
    for delivery in (onboarded, revoked):
        resource = delivery["event"]["resource"]
        assert resource["merchant_id"] == merchant_id
        assert resource["tracking_id"] == body["tracking_id"]
        assert status_of(verify(api, delivery)) == "SUCCESS"
    # The merchant's captures can no longer be refunded on its behalf.
    capture_id = capture_of(api.capture(approved_order(api)).json())["id"]
    denied = refund(api, capture_id, **{"PayPal-Auth-Assertion": assertion(merchant_id)})
    assert denied.status_code == 403


def test_a_failing_listener_is_logged(api, paypal_sandbox, listener):
    listener.status = 500
    approved_order(api)
    [delivery] = events(paypal_sandbox, 1)
    assert delivery["status"] == 500
    paypal_sandbox.configure_webhooks("http://127.0.0.1:9/unreachable", WEBHOOK_ID)
    approved_order(api)
    unreachable = events(paypal_sandbox, 2)[1]
    assert unreachable["status"] == 0 and unreachable["error"]


def test_nothing_is_sent_without_a_listener(api, paypal_sandbox):
    approved_order(api)
    assert paypal_sandbox.deliveries() == []


def test_an_event_of_any_type_can_be_sent_signed(api, paypal_sandbox, listener):
    resource = {"dispute_id": "PP-D-4012", "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED"}
    event_id = paypal_sandbox.emit_event("CUSTOMER.DISPUTE.CREATED", resource, "dispute")
    [delivery] = events(paypal_sandbox, 1)
    assert delivery["event_id"] == event_id and delivery["status"] == 200
    assert delivery["event"]["event_type"] == "CUSTOMER.DISPUTE.CREATED"
    assert delivery["event"]["resource"] == resource
    assert_valid_events(api, [delivery])
    assert status_of(verify(api, delivery)) == "SUCCESS"
    with pytest.raises(Exception, match="400"):
        paypal_sandbox.emit_event("not a type", {})

"""PayPal's awkward Payflow answers, produced on demand: HTTP 500 before or after the
transaction, RESULT 126 (fraud review) settled later, Express Checkout PENDINGREASON, and the
pilot server's AVS rule for unknown streets."""

from __future__ import annotations

import urllib.error
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from payments.sandbox.payflow_nvp import encode_nvp, parse_nvp
from tests.sandbox.test_payflow_checkout import choose, pay, start
from tests.sandbox.test_payflow_simulator import CARD, US, post, sale


def post_status(sandbox, request_id: str, **fields) -> requests.Response:
    fields = US | {"TRXTYPE": "S", "TENDER": "C", "AMT": "15.00"} | CARD | fields
    return requests.post(
        sandbox.payflow_url,
        data=encode_nvp(fields),
        headers={"X-VPS-REQUEST-ID": request_id, "Content-Type": "text/namevalue"},
        timeout=10,
    )


def sales(sandbox, kind="sale"):
    return [entry for entry in sandbox.ledger() if entry["kind"] == kind]


def inquire(sandbox, pnref):
    return post(sandbox, TRXTYPE="I", TENDER="C", ORIGID=pnref)


def test_500_after_commit_the_sale_happened_and_the_retry_replays_it(paypal_sandbox):
    paypal_sandbox.set_faults(fail_after_commit=1)
    first = post_status(paypal_sandbox, "retry-me")
    assert first.status_code == 500
    assert "RESULT" not in first.text
    assert len(sales(paypal_sandbox)) == 1  # the money moved although the answer was a 500
    again = parse_nvp(post_status(paypal_sandbox, "retry-me").content)
    assert again["RESULT"] == "0" and again["DUPLICATE"] == "1"
    assert again["PNREF"] == sales(paypal_sandbox)[0]["pnref"]
    assert len(sales(paypal_sandbox)) == 1


def test_500_before_nothing_happened_and_the_retry_is_new(paypal_sandbox):
    paypal_sandbox.set_faults(fail_before=1)
    assert post_status(paypal_sandbox, "retry-me").status_code == 500
    assert sales(paypal_sandbox) == []
    again = parse_nvp(post_status(paypal_sandbox, "retry-me").content)
    assert again["RESULT"] == "0" and "DUPLICATE" not in again
    assert len(sales(paypal_sandbox)) == 1


def test_counted_faults_hit_only_matching_requests_then_stop(paypal_sandbox):
    paypal_sandbox.set_faults(fail_before=1, only_matching="AMT=16.00")
    assert sale(paypal_sandbox, AMT="15.00")["RESULT"] == "0"
    assert post_status(paypal_sandbox, "a", AMT="16.00").status_code == 500
    assert post_status(paypal_sandbox, "b", AMT="16.00").status_code == 200
    assert [entry["amount"] for entry in sales(paypal_sandbox)] == ["15.00", "16.00"]


def test_fraud_review_is_authorized_held_then_accepted(paypal_sandbox):
    paypal_sandbox.set_faults(fraud_review=True)
    held = sale(paypal_sandbox)
    assert held["RESULT"] == "126"
    assert held["RESPMSG"] == "Under review by fraud service"
    assert held["AUTHCODE"] and held["PNREF"]
    assert sales(paypal_sandbox) == []  # held: no money yet
    assert inquire(paypal_sandbox, held["PNREF"])["ORIGRESULT"] == "126"
    paypal_sandbox.set_faults()
    assert paypal_sandbox.settle_payflow(held["PNREF"], "accepted")["result"] == 0
    settled = inquire(paypal_sandbox, held["PNREF"])
    assert (settled["ORIGRESULT"], settled["TRANSSTATE"]) == ("0", "6")
    assert [entry["pnref"] for entry in sales(paypal_sandbox)] == [held["PNREF"]]


def test_fraud_review_rejected_moves_no_money(paypal_sandbox):
    paypal_sandbox.set_faults(fraud_review=True)
    held = sale(paypal_sandbox)
    paypal_sandbox.settle_payflow(held["PNREF"], "rejected")
    settled = inquire(paypal_sandbox, held["PNREF"])
    assert (settled["ORIGRESULT"], settled["TRANSSTATE"]) == ("125", "1")
    assert sales(paypal_sandbox) == []
    with pytest.raises(urllib.error.HTTPError, match="404"):
        paypal_sandbox.settle_payflow(held["PNREF"], "accepted")  # nothing held any more


def test_a_declined_card_is_never_put_under_review(paypal_sandbox):
    paypal_sandbox.set_faults(fraud_review=True)
    assert sale(paypal_sandbox, AMT="1012.00")["RESULT"] == "12"


def approved_token(sandbox):
    token = start(sandbox)
    location = choose(sandbox, token, "approve").headers["Location"]
    return token, parse_qs(urlsplit(location).query)["PayerID"][0]


@pytest.mark.parametrize("reason", ["echeck", "multicurrency"])
def test_express_checkout_pending_reason_then_completed(paypal_sandbox, reason):
    token, payer_id = approved_token(paypal_sandbox)
    paypal_sandbox.set_faults(pending_reason=reason, only_matching="ACTION=D")
    paid = pay(paypal_sandbox, token, payer_id)
    assert paid["RESULT"] == "0" and paid["PENDINGREASON"] == reason
    assert paid["PAYMENTTYPE"] == ("echeck" if reason == "echeck" else "instant")
    assert sales(paypal_sandbox, "express_checkout") == []
    assert inquire(paypal_sandbox, paid["PNREF"])["PENDINGREASON"] == reason
    paypal_sandbox.settle_payflow(paid["PNREF"], "accepted")
    assert inquire(paypal_sandbox, paid["PNREF"])["PENDINGREASON"] == "completed"
    assert [e["pnref"] for e in sales(paypal_sandbox, "express_checkout")] == [paid["PNREF"]]


def test_express_checkout_pending_then_denied(paypal_sandbox):
    token, payer_id = approved_token(paypal_sandbox)
    paypal_sandbox.set_faults(pending_reason="echeck")
    paid = pay(paypal_sandbox, token, payer_id)
    paypal_sandbox.settle_payflow(paid["PNREF"], "rejected")
    settled = inquire(paypal_sandbox, paid["PNREF"])
    assert (settled["ORIGRESULT"], settled["TRANSSTATE"]) == ("12", "1")
    assert "PENDINGREASON" not in settled
    assert sales(paypal_sandbox, "express_checkout") == []


def test_express_checkout_without_the_switch_is_not_pending(paypal_sandbox):
    token, payer_id = approved_token(paypal_sandbox)
    paid = pay(paypal_sandbox, token, payer_id, request_id=uuid.uuid4().hex)
    assert paid["PENDINGREASON"] == "none"
    assert "PENDINGREASON" not in inquire(paypal_sandbox, paid["PNREF"])


@pytest.mark.parametrize(
    ("street", "zip_code", "expected"),
    [
        ("123 Main St", "90210", ("Y", "N")),
        ("500 Elm", "12345", ("N", "Y")),
        ("667 Oak Avenue", "12345", ("X", "X")),
        ("9999 Long Road", "12345", ("X", "X")),
        ("Main Street 12", "12345", ("X", "X")),
    ],
)
def test_avs_unknown_street_makes_address_and_zip_unknown(
    paypal_sandbox, street, zip_code, expected
):
    answer = sale(paypal_sandbox, BILLTOSTREET=street, BILLTOZIP=zip_code)
    assert answer["RESULT"] == "0"  # AVS is informational: never a decline on its own
    assert (answer["AVSADDR"], answer["AVSZIP"]) == expected

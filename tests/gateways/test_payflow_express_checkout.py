"""PayflowExpressCheckout end to end: start, the buyer's page over HTTP, complete, refund."""

from __future__ import annotations

import uuid
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from payments.gateways.base import GatewayTimeout, Outcome
from payments.gateways.payflow import PayflowClient, PayflowExpressCheckout

RETURN_URL = "https://console.example/pay/acme/42/paypal/return"
CANCEL_URL = "https://console.example/pay/acme/42/paypal/cancel"


def make_gateway(sandbox, partner="PayPal", vendor="acmedemo", password="pilot-pass-1", **opts):
    client = PayflowClient(
        sandbox.payflow_url, partner, vendor, vendor, password, **({"timeout": 5} | opts)
    )
    return PayflowExpressCheckout(client, sandbox.base_url + "/cgi-bin/webscr")


@pytest.fixture
def gateway(paypal_sandbox):
    return make_gateway(paypal_sandbox)


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs["action"], "method": attrs["method"], "data": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["data"][attrs["name"]] = attrs.get("value", "")


def buyer_chooses(approval_url: str, decision: str) -> str:
    """Open PayPal's page like a browser, submit a form, return where PayPal sends us."""
    page = requests.get(approval_url, timeout=5)
    page.raise_for_status()
    parser = Forms()
    parser.feed(page.text)
    form = next(f for f in parser.forms if f["data"].get("decision") == decision)
    assert form["method"].lower() == "post"
    answer = requests.post(
        urljoin(page.url, form["action"]), data=form["data"], allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303)
    return answer.headers["Location"]


def returned_params(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def start(gateway, amount="25.00", currency="USD"):
    checkout = gateway.start_checkout(
        Decimal(amount), currency, RETURN_URL, CANCEL_URL, uuid.uuid4().hex, description="Ticket"
    )
    assert checkout.result.approved, checkout.result
    return checkout


def test_full_express_checkout(gateway, paypal_sandbox):
    checkout = start(gateway)
    assert checkout.token.startswith("EC-") and len(checkout.token) == 20
    assert checkout.approval_url.startswith(paypal_sandbox.base_url + "/cgi-bin/webscr?")
    assert returned_params(checkout.approval_url) == {
        "cmd": "_express-checkout",
        "token": checkout.token,
    }

    location = buyer_chooses(checkout.approval_url, "approve")
    assert location.startswith(RETURN_URL + "?")
    params = returned_params(location)
    assert params["token"] == checkout.token

    result = gateway.complete_checkout(
        params["token"], params["PayerID"], Decimal("25.00"), "USD", "collect-1"
    )
    assert result.approved
    assert result.order_id == checkout.token
    assert len(result.reference) == 12
    assert len(result.raw["PPREF"]) == 17
    assert result.raw["EMAIL"]
    [entry] = paypal_sandbox.ledger()
    assert (entry["kind"], entry["pnref"], entry["request_id"]) == (
        "express_checkout",
        result.reference,
        "collect-1",
    )

    looked_up = gateway.lookup(checkout.token, "collect-1")
    assert looked_up.approved and looked_up.reference == result.reference
    assert looked_up.order_id == checkout.token


def test_cancel_path_collects_nothing(gateway, paypal_sandbox):
    checkout = start(gateway)
    location = buyer_chooses(checkout.approval_url, "cancel")

    assert location == f"{CANCEL_URL}?token={checkout.token}"
    result = gateway.complete_checkout(
        checkout.token, "SBXBUYER00001", Decimal("25.00"), "USD", uuid.uuid4().hex
    )
    assert (result.outcome, result.code) == (Outcome.DECLINED, "12")
    assert "PayPal" in result.message
    assert paypal_sandbox.ledger() == []


def test_completing_before_approval_is_declined(gateway, paypal_sandbox):
    checkout = start(gateway)
    result = gateway.complete_checkout(
        checkout.token, "SBXBUYER00001", Decimal("25.00"), "USD", uuid.uuid4().hex
    )
    assert (result.outcome, result.code) == (Outcome.DECLINED, "12")
    assert paypal_sandbox.ledger() == []


def test_completing_twice(gateway, paypal_sandbox):
    checkout = start(gateway)
    payer = returned_params(buyer_chooses(checkout.approval_url, "approve"))["PayerID"]

    first = gateway.complete_checkout(checkout.token, payer, Decimal("25.00"), "USD", "c-1")
    retry = gateway.complete_checkout(checkout.token, payer, Decimal("25.00"), "USD", "c-1")
    other = gateway.complete_checkout(checkout.token, payer, Decimal("25.00"), "USD", "c-2")

    assert retry.approved and retry.duplicate and retry.reference == first.reference
    assert (other.outcome, other.code) == (Outcome.ERROR, "30")
    assert len(paypal_sandbox.ledger()) == 1


def test_completion_time_out_is_resolved_by_lookup(paypal_sandbox):
    gateway = make_gateway(paypal_sandbox)
    checkout = start(gateway)
    payer = returned_params(buyer_chooses(checkout.approval_url, "approve"))["PayerID"]

    slow = make_gateway(paypal_sandbox, timeout=0.5)
    # Only the collection (ACTION=D) is slow; the details call (ACTION=G) answers at once.
    requests.post(
        paypal_sandbox.base_url + "/_sandbox/faults",
        json={"delay_seconds": 1.5, "only_matching": "ACTION=D"},
        timeout=5,
    ).raise_for_status()
    with pytest.raises(GatewayTimeout):
        slow.complete_checkout(checkout.token, payer, Decimal("25.00"), "USD", "slow-collect")
    paypal_sandbox.set_faults()

    found = gateway.lookup(checkout.token, "slow-collect")
    assert found.approved
    assert [e["pnref"] for e in paypal_sandbox.ledger()] == [found.reference]
    with pytest.raises(ValueError):
        gateway.lookup(checkout.token)


def test_lookup_of_a_never_completed_checkout(gateway):
    checkout = start(gateway)
    result = gateway.lookup(checkout.token, "never-completed")
    assert (result.outcome, result.code) == (Outcome.ERROR, "19")


def test_refund_in_part_then_the_rest_then_too_much(gateway, paypal_sandbox):
    checkout = start(gateway, amount="40.00")
    payer = returned_params(buyer_chooses(checkout.approval_url, "approve"))["PayerID"]
    paid = gateway.complete_checkout(checkout.token, payer, Decimal("40.00"), "USD", "pay-40")

    part = gateway.refund(paid.reference, Decimal("15.00"), "USD", uuid.uuid4().hex)
    rest = gateway.refund(paid.reference, None, "USD", uuid.uuid4().hex)
    more = gateway.refund(paid.reference, Decimal("1.00"), "USD", uuid.uuid4().hex)

    assert part.approved and rest.approved
    assert (more.outcome, more.code) == (Outcome.ERROR, "105")
    amounts = [(e["kind"], e["amount"]) for e in paypal_sandbox.ledger()]
    assert amounts == [("express_checkout", "40.00"), ("credit", "15.00"), ("credit", "25.00")]


def test_uk_partner_checkout_in_pounds(paypal_sandbox):
    gateway = make_gateway(
        paypal_sandbox, partner="PayPalUK", vendor="globexuk", password="pilot-pass-uk-1"
    )
    checkout = start(gateway, amount="12.00", currency="GBP")
    payer = returned_params(buyer_chooses(checkout.approval_url, "approve"))["PayerID"]
    result = gateway.complete_checkout(checkout.token, payer, Decimal("12.00"), "GBP", "uk-1")

    assert result.approved
    assert paypal_sandbox.ledger()[0]["currency"] == "GBP"


def test_start_refused_returns_no_token(paypal_sandbox):
    gateway = make_gateway(paypal_sandbox, password="wrong")
    checkout = gateway.start_checkout(
        Decimal("5.00"), "USD", RETURN_URL, CANCEL_URL, uuid.uuid4().hex
    )
    assert (checkout.token, checkout.approval_url) == ("", "")
    assert (checkout.result.outcome, checkout.result.code) == (Outcome.ERROR, "1")

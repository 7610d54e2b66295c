"""A real browser clicks through the simulator's Orders approval page and the Partner
Referrals consent page; the API side goes through the REST clients and the OpenAPI check."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from payments.gateways.partner_referrals import PartnerReferralsClient
from payments.gateways.paypal_orders import PayPalOrdersGateway
from payments.gateways.paypal_rest import PayPalOAuth
from tests.sandbox.openapi import ValidatingSession

pytestmark = pytest.mark.browser

CLIENT_ID = "sandbox-platform-client"
SECRET = "sandbox-platform-secret"


@pytest.fixture
def session():
    PayPalOAuth.clear_cache()
    session = ValidatingSession()
    yield session
    session.close()


def query_of(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def checkout(paypal_sandbox, session):
    gateway = PayPalOrdersGateway(
        paypal_sandbox.base_url, CLIENT_ID, SECRET, "organizer@acme.example.com", 5, session=session
    )
    base = paypal_sandbox.base_url
    started = gateway.start_checkout(
        Decimal("25.00"),
        "USD",
        base + "/merchant/return?payment=7",
        base + "/merchant/cancel?payment=7",
        "attempt-7",
        description="Webinar: Q3 results",
    )
    assert started.result.approved
    return gateway, started


def test_buyer_approves_in_the_browser(page, paypal_sandbox, checkout):
    gateway, started = checkout
    page.goto(started.approval_url)
    assert "25.00 USD" in page.content()
    page.get_by_role("button", name="Approve and pay").click()
    page.wait_for_url("**/merchant/return?**")
    query = query_of(page.url)
    assert query["payment"] == "7"
    assert query["token"] == started.token
    assert len(query["PayerID"]) == 13

    result = gateway.complete_checkout(
        query["token"], query["PayerID"], Decimal("25.00"), "USD", "attempt-7"
    )
    assert result.approved
    assert [entry["amount"] for entry in paypal_sandbox.ledger()] == ["25.00"]


def test_buyer_cancels_in_the_browser(page, paypal_sandbox, checkout):
    gateway, started = checkout
    page.goto(started.approval_url)
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/merchant/cancel?**")
    assert query_of(page.url) == {"payment": "7", "token": started.token}
    assert gateway.lookup(started.token).code == "CREATED"
    assert paypal_sandbox.ledger() == []


@pytest.fixture
def referrals(paypal_sandbox, session):
    return PartnerReferralsClient(paypal_sandbox.base_url, CLIENT_ID, SECRET, 5, session=session)


@pytest.mark.parametrize(("button", "granted"), [("Grant permission", True), ("Decline", False)])
def test_seller_answers_the_consent_page(page, paypal_sandbox, referrals, button, granted):
    return_url = paypal_sandbox.base_url + "/console/acme/paypal/permission"
    _, action_url = referrals.create_referral("acme-provider-3", return_url, f"ref-{button}")
    page.goto(action_url)
    assert "PAYMENT" in page.content() and "REFUND" in page.content()
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/console/acme/paypal/permission?**")
    query = query_of(page.url)
    assert query["permissionsGranted"] == str(granted).lower()
    assert query["consentStatus"] == str(granted).lower()
    consent = referrals.parse_return(query, expected_tracking_id="acme-provider-3")
    assert consent.granted is granted
    if granted:
        assert len(consent.merchant_id) == 13
        assert query["accountStatus"] == "BUSINESS_ACCOUNT"

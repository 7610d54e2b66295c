"""PartnerReferralsClient against the simulator: the *Grant API permission* round trip."""

from __future__ import annotations

import pytest

from payments.gateways.base import GatewayError
from payments.gateways.partner_referrals import (
    PartnerReferralError,
    PartnerReferralsClient,
    parse_return,
)
from payments.gateways.paypal_rest import PayPalOAuth
from payments.provider_gateways import partner_referrals_client
from tests.sandbox.openapi import ValidatingSession, follow_to_return

CLIENT_ID = "sandbox-platform-client"
SECRET = "sandbox-platform-secret"


@pytest.fixture
def session():
    session = ValidatingSession()
    yield session
    session.close()


@pytest.fixture
def client(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    return PartnerReferralsClient(paypal_sandbox.base_url, CLIENT_ID, SECRET, 5, session=session)


def return_url(paypal_sandbox):
    return paypal_sandbox.base_url + "/console/acme/paypal/permission/done"


def test_granted_round_trip(client, paypal_sandbox, session):
    referral_id, action_url = client.create_referral(
        "acme-provider-3", return_url(paypal_sandbox), "grant-1"
    )
    assert action_url == f"{paypal_sandbox.base_url}/partner-consent/{referral_id}"

    query = follow_to_return(session, action_url, "Grant permission")
    consent = client.parse_return(query, expected_tracking_id="acme-provider-3")
    assert consent.granted, consent.reason
    assert len(consent.merchant_id) == 13
    assert consent.tracking_id == "acme-provider-3"
    assert consent.permissions_granted and consent.consent_status and consent.email_confirmed
    assert consent.account_status == "BUSINESS_ACCOUNT"
    assert [(e.document, e.status) for e in session.validated()] == [
        ("oauth", 200),
        ("referrals", 201),
    ]


def test_declined_round_trip(client, paypal_sandbox, session):
    _, action_url = client.create_referral("acme-provider-3", return_url(paypal_sandbox), "d-1")
    query = follow_to_return(session, action_url, "Decline")
    assert query["permissionsGranted"] == "false" and query["consentStatus"] == "false"
    consent = parse_return(query, expected_tracking_id="acme-provider-3")
    assert not consent.granted
    assert consent.merchant_id == ""
    assert consent.reason == "permissions not granted"


def test_referral_can_be_read_back(client, paypal_sandbox):
    referral_id, _ = client.create_referral(
        "globex-1", return_url(paypal_sandbox), "read-1", email="owner@globex.example.com"
    )
    referral = client.get_referral(referral_id)
    assert referral["partner_referral_id"] == referral_id
    data = referral["referral_data"]
    assert data["tracking_id"] == "globex-1"
    assert data["email"] == "owner@globex.example.com"
    rest = data["operations"][0]["api_integration_preference"]["rest_api_integration"]
    assert rest["integration_type"] == "THIRD_PARTY"
    assert rest["third_party_details"]["features"] == ["PAYMENT", "REFUND"]
    assert {link["rel"] for link in referral["links"]} == {"self", "action_url"}


def test_replayed_create_returns_the_same_referral(client, paypal_sandbox):
    first = client.create_referral("acme-provider-3", return_url(paypal_sandbox), "same-id")
    again = client.create_referral("acme-provider-3", return_url(paypal_sandbox), "same-id")
    assert again == first


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (
            {"merchantId": "acme", "permissionsGranted": "true", "consentStatus": "true"},
            "no valid merchantIdInPayPal",
        ),
        (
            {
                "merchantId": "acme",
                "merchantIdInPayPal": "bad id",
                "permissionsGranted": "true",
                "consentStatus": "true",
            },
            "no valid merchantIdInPayPal",
        ),
        (
            {
                "merchantId": "acme",
                "merchantIdInPayPal": "ABCDEFGHJK234",
                "permissionsGranted": "true",
                "consentStatus": "false",
            },
            "consent not given",
        ),
        (
            {
                "merchantId": "globex",
                "merchantIdInPayPal": "ABCDEFGHJK234",
                "permissionsGranted": "true",
                "consentStatus": "true",
            },
            "tracking id does not match",
        ),
    ],
)
def test_return_that_does_not_grant(query, reason):
    consent = parse_return(query, expected_tracking_id="acme")
    assert not consent.granted
    assert consent.reason == reason


def test_server_error_raises(client, paypal_sandbox):
    with pytest.raises(PartnerReferralError) as excinfo:
        client.create_referral(
            "acme", return_url(paypal_sandbox), "e-1", mock_response="INTERNAL_SERVER_ERROR"
        )
    assert excinfo.value.status == 500
    assert excinfo.value.code == "INTERNAL_SERVER_ERROR"
    assert excinfo.value.debug_id


def test_too_long_return_url_is_refused(client, paypal_sandbox, session):
    too_long = return_url(paypal_sandbox) + "?" + "x" * 130
    with session.invalid_requests_allowed(), pytest.raises(PartnerReferralError) as excinfo:
        client.create_referral("acme", too_long, "long-1")
    assert excinfo.value.status == 400
    assert excinfo.value.code == "INVALID_STRING_LENGTH"
    # The request broke the document (maxLength 127) and the validator noticed.
    assert session.validated("referrals")[-1].request_errors


def test_unknown_referral_raises(client):
    with pytest.raises(PartnerReferralError) as excinfo:
        client.get_referral("no-such-referral")
    assert excinfo.value.status == 404


def test_wrong_secret_is_a_configuration_error(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    client = PartnerReferralsClient(paypal_sandbox.base_url, CLIENT_ID, "wrong", session=session)
    with pytest.raises(GatewayError, match="invalid_client"):
        client.create_referral("acme", return_url(paypal_sandbox), "w-1")


def test_client_from_settings(paypal_sandbox, session):
    PayPalOAuth.clear_cache()
    client = partner_referrals_client("test", session=session)
    referral_id, action_url = client.create_referral("acme", return_url(paypal_sandbox), "s-1")
    assert action_url.startswith(paypal_sandbox.base_url) and referral_id in action_url

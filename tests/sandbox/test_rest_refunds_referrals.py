"""The simulator's Payments v2 refunds and Partner Referrals v2, over raw HTTP, each exchange
checked against PayPal's OpenAPI documents."""

from __future__ import annotations

import pytest

from tests.sandbox.openapi import ValidatingSession, follow_to_return, parse_page, submit
from tests.sandbox.test_rest_orders import Api


@pytest.fixture
def api(paypal_sandbox):
    session = ValidatingSession()
    yield Api(paypal_sandbox.base_url, session)
    session.close()


# --- refunds ----------------------------------------------------------------------------------


@pytest.fixture
def capture_id(api):
    order_id = api.create().json()["id"]
    api.approve(order_id)
    body = api.capture(order_id, request_id="capture-1").json()
    return body["purchase_units"][0]["payments"]["captures"][0]["id"]


def refund(api: Api, capture_id, amount=None, request_id=None, **headers):
    body = {} if amount is None else {"amount": {"currency_code": "USD", "value": amount}}
    return api.session.post(
        f"{api.base}/v2/payments/captures/{capture_id}/refund",
        json=body,
        headers=api.headers(request_id, **headers),
    )


def show_capture(api: Api, capture_id):
    return api.session.get(f"{api.base}/v2/payments/captures/{capture_id}", headers=api.headers())


def refunds_in(paypal_sandbox):
    return [entry["amount"] for entry in paypal_sandbox.ledger() if entry["kind"] == "refund"]


def test_full_refund(api, capture_id, paypal_sandbox):
    answer = refund(api, capture_id, Prefer="return=representation")
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "COMPLETED"
    assert body["amount"] == {"currency_code": "USD", "value": "15.00"}
    capture = show_capture(api, capture_id).json()
    assert capture["status"] == "REFUNDED"
    assert capture["supplementary_data"]["related_ids"]["order_id"]
    assert refunds_in(paypal_sandbox) == ["15.00"]
    shown = api.session.get(f"{api.base}/v2/payments/refunds/{body['id']}", headers=api.headers())
    assert shown.json()["amount"]["value"] == "15.00"
    again = refund(api, capture_id)
    assert again.status_code == 422
    assert again.json()["details"][0]["issue"] == "CAPTURE_FULLY_REFUNDED"


def test_partial_refunds_and_over_refund(api, capture_id, paypal_sandbox):
    first = refund(api, capture_id, "10.00")
    assert first.status_code == 201
    assert set(first.json()) == {"id", "status", "links"}  # minimal by default
    assert show_capture(api, capture_id).json()["status"] == "PARTIALLY_REFUNDED"
    over = refund(api, capture_id, "5.01")
    assert over.status_code == 422
    assert over.json()["name"] == "UNPROCESSABLE_ENTITY"
    assert over.json()["details"][0]["issue"] == "REFUND_AMOUNT_EXCEEDED"
    rest = refund(api, capture_id)  # no amount: what is left
    assert rest.status_code == 201
    assert refunds_in(paypal_sandbox) == ["10.00", "5.00"]
    assert show_capture(api, capture_id).json()["status"] == "REFUNDED"


def test_refund_in_another_currency_is_refused(api, capture_id):
    answer = api.session.post(
        f"{api.base}/v2/payments/captures/{capture_id}/refund",
        json={"amount": {"currency_code": "EUR", "value": "1.00"}},
        headers=api.headers(),
    )
    assert answer.status_code == 422
    assert answer.json()["details"][0]["issue"] == "REFUND_CAPTURE_CURRENCY_MISMATCH"


def test_replayed_refund_refunds_once(api, capture_id, paypal_sandbox):
    first = refund(api, capture_id, "3.00", request_id="refund-1")
    again = refund(api, capture_id, "3.00", request_id="refund-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert refunds_in(paypal_sandbox) == ["3.00"]
    assert paypal_sandbox.ledger()[-1]["request_id"] == "refund-1"


def test_refund_mock_responses(api, capture_id, paypal_sandbox):
    answer = refund(api, capture_id, "1.00", mock="REFUND_FAILED_INSUFFICIENT_FUNDS")
    assert answer.status_code == 422
    assert answer.json()["details"][0]["issue"] == "REFUND_FAILED_INSUFFICIENT_FUNDS"
    assert refund(api, capture_id, "1.00", mock="INTERNAL_SERVER_ERROR").status_code == 500
    assert refunds_in(paypal_sandbox) == []


def test_unknown_capture(api):
    assert show_capture(api, "9XX99999XX999999X").status_code == 404
    answer = refund(api, "9XX99999XX999999X")
    assert answer.status_code == 404
    assert answer.json()["details"][0]["issue"] == "INVALID_RESOURCE_ID"


# --- partner referrals --------------------------------------------------------------------------


def referral_body(base, **extra):
    body = {
        "tracking_id": "acme-3",
        "partner_config_override": {"return_url": base + "/console/acme/permission"},
        "operations": [
            {
                "operation": "API_INTEGRATION",
                "api_integration_preference": {
                    "rest_api_integration": {
                        "integration_method": "PAYPAL",
                        "integration_type": "THIRD_PARTY",
                        "third_party_details": {"features": ["PAYMENT", "REFUND"]},
                    }
                },
            }
        ],
        "products": ["EXPRESS_CHECKOUT"],
        "legal_consents": [{"type": "SHARE_DATA_CONSENT", "granted": True}],
    }
    body.update(extra)
    return body


def create_referral(api: Api, body=None, **headers):
    return api.session.post(
        api.base + "/v2/customer/partner-referrals",
        json=body or referral_body(api.base),
        headers=api.headers(**headers),
    )


def test_referral_create_and_read(api):
    answer = create_referral(api)
    assert answer.status_code == 201
    links = {item["rel"]: item["href"] for item in answer.json()["links"]}
    assert set(links) == {"self", "action_url"}
    referral_id = links["self"].rsplit("/", 1)[-1]
    assert links["action_url"] == f"{api.base}/partner-consent/{referral_id}"
    shown = api.session.get(links["self"], headers=api.headers())
    assert shown.status_code == 200
    body = shown.json()
    assert body["partner_referral_id"] == referral_id
    assert body["referral_data"]["tracking_id"] == "acme-3"
    assert len(body["submitter_payer_id"]) == 13


def test_consent_page_grant(api):
    action_url = next(
        item["href"] for item in create_referral(api).json()["links"] if item["rel"] == "action_url"
    )
    page = parse_page(api.session.get(action_url).text)
    assert page.scripts == 0 and page.inline_styles == 0
    assert sorted(b for form in page.forms for b in form["buttons"]) == [
        "Decline",
        "Grant permission",
    ]
    query = follow_to_return(api.session, action_url, "Grant permission")
    merchant = query.pop("merchantIdInPayPal")
    assert len(merchant) == 13 and merchant.isalnum() and merchant.isupper()
    assert query == {
        "merchantId": "acme-3",
        "permissionsGranted": "true",
        "consentStatus": "true",
        "isEmailConfirmed": "true",
        "accountStatus": "BUSINESS_ACCOUNT",
        "productIntentId": "addipmt",
    }
    # Granting again gives the same merchant id.
    assert follow_to_return(api.session, action_url, "Grant permission")["merchantIdInPayPal"] == (
        merchant
    )


def test_consent_page_decline(api):
    action_url = next(
        item["href"] for item in create_referral(api).json()["links"] if item["rel"] == "action_url"
    )
    answer = submit(api.session, action_url, "Decline")
    assert answer.status_code == 302
    assert answer.headers["Location"] == (
        f"{api.base}/console/acme/permission"
        "?merchantId=acme-3&permissionsGranted=false&consentStatus=false"
    )


@pytest.mark.parametrize(
    ("change", "issue"),
    [
        ({"operations": []}, "INVALID_ARRAY_LENGTH"),
        ({"operations": [{"operation": "THIRD_PARTY"}]}, "INVALID_PARAMETER_VALUE"),
        ({"legal_consents": [{"type": "SHARE_DATA_CONSENT", "granted": False}]}, None),
        ({"products": ["NOT_A_PRODUCT"]}, "INVALID_PARAMETER_VALUE"),
        ({"partner_config_override": {"return_url": "x" * 128}}, "INVALID_STRING_LENGTH"),
    ],
)
def test_invalid_referrals(api, change, issue):
    body = referral_body(api.base)
    body.update(change)
    with api.session.invalid_requests_allowed():
        answer = create_referral(api, body)
    assert answer.status_code == 400
    assert answer.json()["name"] == "INVALID_REQUEST"
    assert answer.json()["details"][0]["issue"] == (issue or "INVALID_PARAMETER_VALUE")


def test_referral_replay_and_mocks(api):
    first = create_referral(api, **{"PayPal-Request-Id": "ref-1"})
    again = create_referral(api, **{"PayPal-Request-Id": "ref-1"})
    assert again.json() == first.json()
    assert create_referral(api, mock="INTERNAL_SERVER_ERROR").status_code == 500
    answer = create_referral(api, mock="PRODUCT_PPCP_UNAUTHORIZED")
    assert answer.status_code == 422
    assert answer.json()["details"][0]["issue"] == "PRODUCT_PPCP_UNAUTHORIZED"


def test_unknown_referral(api):
    answer = api.session.get(
        api.base + "/v2/customer/partner-referrals/nope", headers=api.headers()
    )
    assert answer.status_code == 404
    assert answer.json()["name"] == "RESOURCE_NOT_FOUND"
    assert api.session.get(api.base + "/partner-consent/nope").status_code == 404

"""The simulator's OAuth token endpoint, Orders v2 and buyer approval page, over raw HTTP.

Every call goes through ``ValidatingSession``, so each request and response is also checked
against PayPal's OpenAPI documents; tests that send bad input on purpose say so with
``invalid_requests_allowed()``.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.openapi import ValidatingSession, parse_page, submit

CLIENT = ("sandbox-platform-client", "sandbox-platform-secret")
PAYEE = "organizer@acme.example.com"


class Api:
    def __init__(self, base: str, session: ValidatingSession) -> None:
        self.base = base
        self.session = session
        self.token = self.fetch_token().json()["access_token"]

    def fetch_token(self, auth=CLIENT, grant_type="client_credentials"):
        return self.session.post(
            self.base + "/v1/oauth2/token", auth=auth, data={"grant_type": grant_type}
        )

    def headers(self, request_id=None, mock=None, **extra):
        headers = {"Authorization": f"Bearer {self.token}", **extra}
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        if mock:
            headers["PayPal-Mock-Response"] = json.dumps({"mock_application_codes": mock})
        return headers

    def create(self, body=None, request_id=None, **headers):
        body = body or order_body(self.base)
        return self.session.post(
            self.base + "/v2/checkout/orders",
            json=body,
            headers=self.headers(request_id, **headers),
        )

    def get(self, order_id, **headers):
        return self.session.get(
            f"{self.base}/v2/checkout/orders/{order_id}", headers=self.headers(**headers)
        )

    def capture(self, order_id, request_id=None, **headers):
        return self.session.post(
            f"{self.base}/v2/checkout/orders/{order_id}/capture",
            headers=self.headers(request_id, **{"Content-Type": "application/json", **headers}),
        )

    def approve(self, order_id):
        answer = submit(
            self.session, f"{self.base}/checkoutnow?token={order_id}", "Approve and pay"
        )
        assert answer.status_code == 302
        return answer.headers["Location"]


def order_body(base, value="15.00", currency="USD", **extra):
    return {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "amount": {"currency_code": currency, "value": value},
                "payee": {"email_address": PAYEE},
            }
        ],
        "application_context": {"return_url": base + "/done", "cancel_url": base + "/cancelled"},
        **extra,
    }


@pytest.fixture
def api(paypal_sandbox):
    session = ValidatingSession()
    yield Api(paypal_sandbox.base_url, session)
    session.close()


def link(body, rel):
    [href] = [item["href"] for item in body["links"] if item["rel"] == rel]
    return href


# --- token --------------------------------------------------------------------------------


def test_token_for_platform_credentials(api):
    answer = api.fetch_token()
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 3600
    assert body["access_token"] != api.token


def test_wrong_secret_is_invalid_client(api):
    answer = api.fetch_token(auth=(CLIENT[0], "wrong"))
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Client Authentication failed",
    }


def test_unknown_grant_type_is_refused(api):
    with api.session.invalid_requests_allowed():
        answer = api.fetch_token(grant_type="password")
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_credentials_from_the_environment_are_accepted(api, monkeypatch):
    monkeypatch.setenv("PAYPAL_SANDBOX_CLIENT_ID", "ci-client")
    monkeypatch.setenv("PAYPAL_SANDBOX_SECRET", "ci-secret")
    assert api.fetch_token(auth=("ci-client", "ci-secret")).status_code == 200
    assert api.fetch_token().status_code == 200  # the built-in pair still works
    monkeypatch.delenv("PAYPAL_SANDBOX_SECRET")
    assert api.fetch_token(auth=("ci-client", "ci-secret")).status_code == 401


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_api_calls_need_a_valid_bearer_token(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with api.session.invalid_requests_allowed():
        answer = api.session.post(
            api.base + "/v2/checkout/orders", json=order_body(api.base), headers=headers
        )
    assert answer.status_code == 401
    assert answer.json()["name"] == "AUTHENTICATION_FAILURE"


# --- orders -------------------------------------------------------------------------------


def test_create_answers_created_with_links(api):
    answer = api.create()
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "CREATED"
    assert set(body) == {"id", "status", "links"}  # Prefer: return=minimal is the default
    assert link(body, "self") == f"{api.base}/v2/checkout/orders/{body['id']}"
    assert link(body, "approve") == f"{api.base}/checkoutnow?token={body['id']}"
    assert link(body, "capture") == f"{api.base}/v2/checkout/orders/{body['id']}/capture"
    assert answer.headers["PayPal-Debug-Id"]


def test_create_with_representation_and_get(api):
    created = api.create(Prefer="return=representation").json()
    unit = created["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "USD", "value": "15.00"}
    assert unit["payee"]["email_address"] == PAYEE
    assert len(unit["payee"]["merchant_id"]) == 13
    shown = api.get(created["id"]).json()
    assert shown == created


def test_payment_source_paypal_asks_for_payer_action(api):
    body = order_body(api.base)
    context = body.pop("application_context")
    body["payment_source"] = {"paypal": {"experience_context": context}}
    created = api.create(body).json()
    assert created["status"] == "PAYER_ACTION_REQUIRED"
    location = api.approve(created["id"])
    assert location.startswith(api.base + "/done?token=")


def test_replayed_create_returns_the_original_with_200(api):
    first = api.create(request_id="create-1")
    again = api.create(order_body(api.base, value="99.00"), request_id="create-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert api.get(first.json()["id"]).json()["purchase_units"][0]["amount"]["value"] == "15.00"


@pytest.mark.parametrize(
    ("mutate", "status", "issue", "field"),
    [
        (lambda b: b.pop("intent"), 400, "MISSING_REQUIRED_PARAMETER", "/intent"),
        (lambda b: b.update(intent="SALE"), 400, "INVALID_PARAMETER_VALUE", "/intent"),
        (lambda b: b.update(purchase_units=[]), 400, "INVALID_ARRAY_MIN_ITEMS", "/purchase_units"),
        (
            lambda b: b["purchase_units"][0]["amount"].update(value="ten"),
            400,
            "INVALID_PARAMETER_SYNTAX",
            "/purchase_units/0/amount/value",
        ),
        (
            lambda b: b["purchase_units"][0]["payee"].update(email_address="nobody"),
            400,
            "INVALID_PARAMETER_SYNTAX",
            "/purchase_units/0/payee/email_address",
        ),
        (
            lambda b: b["purchase_units"][0]["amount"].update(value="0.00"),
            422,
            "CANNOT_BE_ZERO_OR_NEGATIVE",
            "/purchase_units/0/amount/value",
        ),
        (
            lambda b: b["purchase_units"][0]["amount"].update(value="1.001"),
            422,
            "DECIMAL_PRECISION",
            "/purchase_units/0/amount/value",
        ),
        (
            lambda b: b["purchase_units"][0]["amount"].update(currency_code="XYZ"),
            422,
            "INVALID_CURRENCY_CODE",
            "/purchase_units/0/amount/currency_code",
        ),
    ],
)
def test_invalid_order_requests(api, mutate, status, issue, field):
    body = order_body(api.base)
    mutate(body)
    with api.session.invalid_requests_allowed():
        answer = api.create(body)
    assert answer.status_code == status
    error = answer.json()
    assert error["name"] == ("INVALID_REQUEST" if status == 400 else "UNPROCESSABLE_ENTITY")
    assert error["debug_id"] and error["links"]
    [detail] = error["details"]
    assert (detail["issue"], detail["field"]) == (issue, field)
    assert detail["description"]


def test_malformed_json_is_invalid_request(api):
    with api.session.invalid_requests_allowed():
        answer = api.session.post(
            api.base + "/v2/checkout/orders",
            data=b"{not json",
            headers=api.headers(**{"Content-Type": "application/json"}),
        )
    assert answer.status_code == 400
    assert answer.json()["details"][0]["issue"] == "MALFORMED_REQUEST_JSON"


def test_unknown_order_is_resource_not_found(api):
    answer = api.get("8XY12345AB678901C")
    assert answer.status_code == 404
    body = answer.json()
    assert body["name"] == "RESOURCE_NOT_FOUND"
    assert body["details"][0]["issue"] == "INVALID_RESOURCE_ID"
    assert api.capture("8XY12345AB678901C").status_code == 404


def test_capture_before_approval_is_order_not_approved(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    answer = api.capture(order_id)
    assert answer.status_code == 422
    body = answer.json()
    assert body["name"] == "UNPROCESSABLE_ENTITY"
    assert body["details"][0]["issue"] == "ORDER_NOT_APPROVED"
    assert paypal_sandbox.ledger() == []


def test_approve_then_capture(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    location = api.approve(order_id)
    assert location.startswith(f"{api.base}/done?token={order_id}&PayerID=")
    approved = api.get(order_id).json()
    assert approved["status"] == "APPROVED"
    payer_id = approved["payer"]["payer_id"]
    assert location.endswith(payer_id) and len(payer_id) == 13

    answer = api.capture(order_id, request_id="capture-1")
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "COMPLETED"
    [capture] = body["purchase_units"][0]["payments"]["captures"]
    assert capture["status"] == "COMPLETED"
    assert capture["amount"] == {"currency_code": "USD", "value": "15.00"}
    assert paypal_sandbox.ledger() == [
        {
            "protocol": "rest",
            "kind": "capture",
            "id": capture["id"],
            "order_id": order_id,
            "amount": "15.00",
            "currency": "USD",
            "request_id": "capture-1",
            "payee": PAYEE,
        }
    ]
    assert api.get(order_id).json()["status"] == "COMPLETED"


def test_capture_replay_and_second_capture(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    api.approve(order_id)
    first = api.capture(order_id, request_id="capture-1")
    replay = api.capture(order_id, request_id="capture-1")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    second = api.capture(order_id, request_id="capture-2")
    assert second.status_code == 422
    assert second.json()["details"][0]["issue"] == "ORDER_ALREADY_CAPTURED"
    assert len(paypal_sandbox.ledger()) == 1


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("INSTRUMENT_DECLINED", 422),
        ("TRANSACTION_REFUSED", 422),
        ("PAYER_CANNOT_PAY", 422),
        ("PAYER_ACCOUNT_RESTRICTED", 422),
        ("PERMISSION_DENIED", 403),
        ("INTERNAL_SERVER_ERROR", 500),
    ],
)
def test_mock_responses_on_capture_change_nothing(api, paypal_sandbox, code, status):
    order_id = api.create().json()["id"]
    api.approve(order_id)
    answer = api.capture(order_id, request_id="capture-1", mock=code)
    assert answer.status_code == status
    body = answer.json()
    if status == 500:
        assert body["name"] == "INTERNAL_SERVER_ERROR" and "details" not in body
    else:
        assert body["details"][0]["issue"] == code
    assert api.get(order_id).json()["status"] == "APPROVED"
    assert paypal_sandbox.ledger() == []
    # The failed attempt was not remembered: the same id now captures.
    assert api.capture(order_id, request_id="capture-1").status_code == 201


def test_mock_responses_on_create_and_get(api):
    answer = api.create(mock="PAYEE_ACCOUNT_RESTRICTED")
    assert answer.status_code == 422
    assert answer.json()["details"][0]["issue"] == "PAYEE_ACCOUNT_RESTRICTED"
    order_id = api.create().json()["id"]
    assert api.get(order_id, mock="INTERNAL_SERVER_ERROR").status_code == 500


def test_unknown_mock_code_is_invalid_request(api):
    order_id = api.create().json()["id"]
    answer = api.capture(order_id, mock="NOT_A_CODE")
    assert answer.status_code == 400
    assert answer.json()["details"][0]["issue"] == "INVALID_PARAMETER_VALUE"


# --- the buyer's approval page --------------------------------------------------------------


def test_approval_page_is_plain_html_with_two_forms(api):
    order_id = api.create().json()["id"]
    page = api.session.get(f"{api.base}/checkoutnow?token={order_id}")
    assert page.status_code == 200
    assert "15.00 USD" in page.text and PAYEE in page.text
    parsed = parse_page(page.text)
    assert parsed.scripts == 0 and parsed.inline_styles == 0
    buttons = sorted(button for form in parsed.forms for button in form["buttons"])
    assert buttons == ["Approve and pay", "Cancel"]
    assert all(form["method"] == "post" for form in parsed.forms)


def test_cancel_redirects_to_cancel_url_and_keeps_the_order(api):
    order_id = api.create().json()["id"]
    answer = submit(api.session, f"{api.base}/checkoutnow?token={order_id}", "Cancel")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{api.base}/cancelled?token={order_id}"
    assert api.get(order_id).json()["status"] == "CREATED"


def test_approval_page_for_unknown_or_captured_orders(api):
    assert api.session.get(f"{api.base}/checkoutnow?token=NOPE").status_code == 404
    order_id = api.create().json()["id"]
    api.approve(order_id)
    api.capture(order_id)
    assert api.session.get(f"{api.base}/checkoutnow?token={order_id}").status_code == 409


def test_concurrent_captures_collect_once(api, paypal_sandbox):
    order_id = api.create().json()["id"]
    api.approve(order_id)
    with ThreadPoolExecutor(max_workers=8) as pool:
        same = list(pool.map(lambda _: api.capture(order_id, "capture-1").status_code, range(6)))
        other = list(pool.map(lambda n: api.capture(order_id, f"other-{n}").status_code, range(4)))
    assert sorted(same) == [200] * 5 + [201]
    assert other == [422] * 4
    assert len(paypal_sandbox.ledger()) == 1

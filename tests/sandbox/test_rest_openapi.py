"""The OpenAPI check itself: it really runs, it catches wrong requests and wrong responses,
and its load-time adjustments are the documented ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from openapi_core import OpenAPI

from tests.sandbox import openapi
from tests.sandbox.openapi import OpenAPIMismatch, ValidatingSession, validate_exchange
from tests.sandbox.test_rest_orders import Api, order_body


@pytest.fixture
def api(paypal_sandbox):
    session = ValidatingSession()
    yield Api(paypal_sandbox.base_url, session)
    session.close()


def test_documents_are_found_inside_the_repository(monkeypatch):
    monkeypatch.delenv("PAYPAL_OPENAPI_DIR", raising=False)
    folder = openapi.openapi_dir()
    repository = Path(openapi.__file__).resolve().parents[2]
    assert folder == repository / "payments" / "sandbox" / "openapi"
    for name in openapi.DOCUMENTS.values():
        assert (folder / name).is_file()
    assert (folder / "LICENSE").read_text().lstrip().startswith("Apache License")
    # SOURCE.md gives each document's version: it must be the version of the file beside it.
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in (folder / "SOURCE.md").read_text().splitlines()
        if line.startswith("| `")
    }
    for name in openapi.DOCUMENTS.values():
        version = json.loads((folder / name).read_text())["info"]["version"]
        assert f"| {version} |" in rows[name]
    monkeypatch.setenv("PAYPAL_OPENAPI_DIR", "/elsewhere/specs")
    assert openapi.openapi_dir() == Path("/elsewhere/specs")


def test_a_wrong_request_body_fails_validation(api):
    body = order_body(api.base)
    body["purchase_units"][0]["amount"]["value"] = 15  # a number where PayPal wants a string
    with pytest.raises(OpenAPIMismatch, match="amount"):
        api.create(body)
    assert api.session.exchanges[-1].request_errors


def test_a_missing_bearer_token_fails_validation(api):
    with pytest.raises(OpenAPIMismatch, match="(?i)security|authorization"):
        api.session.get(api.base + "/v2/checkout/orders/ABC")


def test_a_wrong_response_body_fails_validation(api):
    answer = api.create()
    assert validate_exchange(answer.request, answer).response_errors == []
    doctored = requests.Response()
    doctored.status_code = 201
    doctored.headers["Content-Type"] = "application/json"
    body = answer.json()
    body["status"] = "PAID"  # not an order status
    doctored._content = json.dumps(body).encode()
    doctored.request = answer.request
    exchange = validate_exchange(answer.request, doctored)
    assert exchange.response_errors
    assert "PAID" in exchange.response_errors[0]


def test_an_undocumented_status_fails_validation(api):
    answer = api.create()
    doctored = requests.Response()
    doctored.status_code = 202  # the document lists 200, 201 and errors only
    doctored.headers["Content-Type"] = "application/json"
    doctored._content = answer.content
    doctored.request = answer.request
    assert validate_exchange(answer.request, doctored).response_errors


def test_an_undocumented_endpoint_always_fails(api):
    with api.session.invalid_requests_allowed(), pytest.raises(OpenAPIMismatch, match="no OpenAPI"):
        api.session.get(api.base + "/v2/invoicing/invoices", headers=api.headers())


def test_html_pages_are_not_api_exchanges(api):
    order_id = api.create().json()["id"]
    before = len(api.session.exchanges)
    api.session.get(f"{api.base}/checkoutnow?token={order_id}")
    assert len(api.session.exchanges) == before
    assert openapi.document_for("/partner-consent/abc") is None
    assert openapi.document_for("/v2/checkout/orders/ABC/capture") == "orders"


def test_every_exchange_of_a_session_is_recorded(api):
    order_id = api.create().json()["id"]
    api.get(order_id)
    api.capture(order_id)  # 422: not approved
    checked = [(e.method, e.document, e.status) for e in api.session.exchanges]
    assert checked == [
        ("POST", "oauth", 200),
        ("POST", "orders", 201),
        ("GET", "orders", 200),
        ("POST", "orders", 422),
    ]


def test_the_partner_referrals_document_needs_its_pattern_fixed():
    raw = json.loads((openapi.openapi_dir() / openapi.DOCUMENTS["referrals"]).read_text())
    schema = raw["components"]["schemas"]["referral_data_response"]["properties"]
    assert schema["partner_referral_id"]["pattern"] == "^[0-9A-Za-z_-.]+$"
    with pytest.raises(Exception, match="regex"):
        OpenAPI.from_dict(raw)
    adjusted = openapi.adjust(raw)
    schema = adjusted["components"]["schemas"]["referral_data_response"]["properties"]
    assert schema["partner_referral_id"]["pattern"] == "^[0-9A-Za-z_.-]+$"
    assert adjusted["servers"] == [{"url": "/"}]
    assert adjusted["components"]["securitySchemes"]["Oauth2"]["scheme"] == "bearer"

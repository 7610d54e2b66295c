"""A real browser on the simulator's Express Checkout page: Pay now lands on the return URL.

Uses the ``page`` fixture of ``tests/e2e/conftest.py`` (Debian's Chromium, headless). The
merchant's return and cancel URLs point at a throwaway local HTTP server.
"""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from payments.gateways.payflow import PayflowClient, PayflowExpressCheckout

pytestmark = pytest.mark.browser


class ReturnPage(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = f"<!doctype html><title>Back at the shop</title><p>{self.path}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ReturnPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(paypal_sandbox):
    client = PayflowClient(
        paypal_sandbox.payflow_url, "PayPal", "acmedemo", "acmedemo", "pilot-pass-1", timeout=5
    )
    return PayflowExpressCheckout(client, paypal_sandbox.base_url + "/cgi-bin/webscr")


def test_pay_now_returns_the_buyer_with_token_and_payer_id(page, gateway, shop, paypal_sandbox):
    checkout = gateway.start_checkout(
        Decimal("19.00"), "USD", shop + "/return", shop + "/cancel", uuid.uuid4().hex
    )
    page.goto(checkout.approval_url)
    assert "19.00 USD" in page.text_content("body")

    page.get_by_role("button", name="Pay now").click()
    page.wait_for_url(shop + "/return?**")

    query = parse_qs(urlsplit(page.url).query)
    assert query["token"] == [checkout.token]
    assert len(query["PayerID"][0]) == 13
    result = gateway.complete_checkout(
        checkout.token, query["PayerID"][0], Decimal("19.00"), "USD", uuid.uuid4().hex
    )
    assert result.approved
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["express_checkout"]


def test_cancel_returns_the_buyer_to_the_cancel_url(page, gateway, shop, paypal_sandbox):
    checkout = gateway.start_checkout(
        Decimal("19.00"), "USD", shop + "/return", shop + "/cancel", uuid.uuid4().hex
    )
    page.goto(checkout.approval_url)
    page.get_by_role("button", name="Cancel and return").click()
    page.wait_for_url(shop + "/cancel?**")

    assert parse_qs(urlsplit(page.url).query) == {"token": [checkout.token]}
    assert paypal_sandbox.ledger() == []

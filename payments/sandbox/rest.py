"""The simulator's REST side: OAuth token, Orders v2, Payments v2, Partner Referrals v2, Webhooks.

Wire formats follow PayPal's OpenAPI documents; the tests check every exchange against them.
Modules: ``rest_common`` (ids, credentials, tokens, idempotency), ``rest_errors`` (error
answers, mock responses), ``rest_money``, ``rest_order_request`` / ``rest_order_views`` /
``rest_orders`` (Orders v2), ``rest_payments`` (captures, refunds, reversals),
``rest_referrals`` (seller onboarding), ``merchants`` (who the platform acts for),
``webhooks`` (events and their verification). The buyer's and seller's pages are in
``pages``.

``POST /v1/oauth2/token`` takes ``grant_type=client_credentials`` with HTTP Basic
credentials: ``sandbox-platform-client`` / ``sandbox-platform-secret``, or the pair in
``PAYPAL_SANDBOX_CLIENT_ID`` / ``PAYPAL_SANDBOX_SECRET``. Wrong credentials answer 401
``{"error": "invalid_client", ...}`` as PayPal does; every API call then needs
``Authorization: Bearer <access_token>`` (401 ``AUTHENTICATION_FAILURE`` otherwise).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import rest_orders, rest_payments, rest_referrals, webhooks
from .rest_common import accepted_credentials, issue_token
from .state import SandboxState


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, mimetype="application/json")


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def token_routes(state: SandboxState) -> list[Rule]:
    def token(request: Request) -> Response:
        credentials = _basic_credentials(request)
        expected = accepted_credentials().get(credentials[0]) if credentials else None
        if expected is None or not hmac.compare_digest(expected.encode(), credentials[1].encode()):
            return _oauth_error(401, "invalid_client", "Client Authentication failed")
        grant_type = request.form.get("grant_type")
        if not grant_type:
            return _oauth_error(400, "unsupported_grant_type", "Grant Type is NULL")
        if grant_type != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "unsupported grant_type")
        return Response(json.dumps(issue_token(state, credentials[0])), mimetype="application/json")

    return [Rule("/v1/oauth2/token", endpoint=token, methods=["POST"])]


def routes(state: SandboxState) -> list[Rule]:
    return [
        *token_routes(state),
        *rest_orders.routes(state),
        *rest_payments.routes(state),
        *rest_referrals.routes(state),
        *webhooks.routes(state),
    ]

"""Shared plumbing of the simulator's REST side: credentials, tokens, errors, idempotency.

Everything here follows PayPal's REST conventions as the OpenAPI documents in
``shared/paypal-openapi/`` describe them: JSON error bodies with ``name``, ``message``,
``debug_id``, ``details[]`` and ``links``; a ``PayPal-Debug-Id`` response header; bearer tokens
from ``POST /v1/oauth2/token``; ``PayPal-Request-Id`` idempotency; ``PayPal-Mock-Response``
negative testing.

Accepted platform credentials (HTTP Basic on the token endpoint): the built-in pair
``sandbox-platform-client`` / ``sandbox-platform-secret``, plus the pair in the environment
variables ``PAYPAL_SANDBOX_CLIENT_ID`` / ``PAYPAL_SANDBOX_SECRET`` when both are set (read on
every token request, so a running simulator picks up a change).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import wraps
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.wrappers import Request, Response

from .state import SandboxState

DEFAULT_CLIENT_ID = "sandbox-platform-client"
DEFAULT_SECRET = "sandbox-platform-secret"
TOKEN_TTL_SECONDS = 32400  # what PayPal's sandbox grants (9 hours)

TOKENS = "rest_tokens"
IDEMPOTENCY = "rest_idempotency"

_UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# PayPal payer and merchant ids: 13 characters, no 0/1/I/O (schema ``account_id``).
_ACCOUNT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

# ISO-4217 codes PayPal accepts, and those without decimals.
CURRENCIES = frozenset(
    [
        "AUD",
        "BRL",
        "CAD",
        "CNY",
        "CZK",
        "DKK",
        "EUR",
        "HKD",
        "HUF",
        "ILS",
        "JPY",
        "MYR",
        "MXN",
        "TWD",
        "NZD",
        "NOK",
        "PHP",
        "PLN",
        "GBP",
        "RUB",
        "SGD",
        "SEK",
        "CHF",
        "THB",
        "USD",
    ]
)
ZERO_DECIMAL_CURRENCIES = frozenset({"HUF", "JPY", "TWD"})

GENERIC_ERRORS = {
    400: (
        "INVALID_REQUEST",
        "Request is not well-formed, syntactically incorrect, or violates schema.",
    ),
    401: (
        "AUTHENTICATION_FAILURE",
        "Authentication failed due to missing authorization header, or invalid authentication "
        "credentials.",
    ),
    403: ("NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: (
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed "
        "business validation.",
    ),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error occurred."),
}

INVALID_RESOURCE_ID = (
    "Specified resource ID does not exist. Please check the resource ID and try again."
)


def new_id(length: int = 17, alphabet: str = _UPPER_ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_account_id() -> str:
    """A 13-character PayPal payer or merchant id."""
    return new_id(13, _ACCOUNT_ALPHABET)


def stable_account_id(seed: str) -> str:
    """A 13-character account id that is always the same for ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ACCOUNT_ALPHABET[b % len(_ACCOUNT_ALPHABET)] for b in digest[:13])


def debug_id() -> str:
    return secrets.token_hex(7)[:13]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base_url(request: Request) -> str:
    return request.host_url.rstrip("/")


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["PayPal-Debug-Id"] = (
        body.get("debug_id") if isinstance(body, dict) and body.get("debug_id") else debug_id()
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class ApiError(Exception):
    """An error answer in PayPal's format. Raise it from a handler; ``api`` renders it.

    ``details`` entries carry ``issue`` and ``description`` (PayPal's wording for the
    operation, copied from its OpenAPI document) and optionally ``field``, ``value``,
    ``location``.
    """

    def __init__(self, status: int, details: list[dict] | None = None, *, api: str = "orders"):
        super().__init__(status)
        self.status = status
        self.details = details or []
        self.api = api

    def body(self) -> dict:
        name, message = GENERIC_ERRORS[self.status]
        anchor = self.details[0]["issue"] if self.details else name
        body: dict[str, Any] = {"name": name, "message": message, "debug_id": debug_id()}
        if self.status != 500:  # PayPal's 500 body has no details
            body["details"] = self.details
        body["links"] = [
            {
                "href": f"https://developer.paypal.com/api/rest/reference/{self.api}/v2/errors/"
                f"#link-{anchor.lower()}",
                "rel": "information_link",
                "method": "GET",
            }
        ]
        return body

    def response(self) -> Response:
        return json_response(self.body(), self.status)


def issue(
    name: str,
    description: str,
    *,
    field: str | None = None,
    value: Any = None,
    location: str | None = "body",
) -> dict:
    detail: dict[str, Any] = {}
    if field is not None:
        detail["field"] = field
    if value is not None:
        detail["value"] = str(value)
    if field is not None and location:
        detail["location"] = location
    detail["issue"] = name
    detail["description"] = description
    return detail


# --- credentials and tokens -------------------------------------------------------------


def accepted_credentials() -> dict[str, str]:
    """client_id -> secret pairs the token endpoint accepts."""
    pairs = {DEFAULT_CLIENT_ID: DEFAULT_SECRET}
    env_id = os.environ.get("PAYPAL_SANDBOX_CLIENT_ID", "")
    env_secret = os.environ.get("PAYPAL_SANDBOX_SECRET", "")
    if env_id and env_secret:
        pairs[env_id] = env_secret
    return pairs


def issue_token(state: SandboxState, client_id: str) -> dict:
    token = "A21AA" + secrets.token_urlsafe(60)
    with state.lock:
        state.table(TOKENS)[token] = {
            "client_id": client_id,
            "expires_at": time.time() + TOKEN_TTL_SECONDS,
        }
    return {
        "scope": " ".join(
            [
                "https://uri.paypal.com/services/payments/payment",
                "https://uri.paypal.com/services/payments/refund",
                "https://uri.paypal.com/services/customer/partner-referrals/readwrite",
            ]
        ),
        "access_token": token,
        "token_type": "Bearer",
        "app_id": "APP-80W284485P519543T",
        "expires_in": TOKEN_TTL_SECONDS,
        "nonce": now_iso() + secrets.token_urlsafe(16),
    }


def bearer_client(state: SandboxState, request: Request) -> str | None:
    """The client id the request's bearer token belongs to, or None when it is not valid."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    with state.lock:
        record = state.table(TOKENS).get(token.strip())
    if not record or record["expires_at"] < time.time():
        return None
    return record["client_id"]


# --- request plumbing ----------------------------------------------------------------------


def api(state: SandboxState, *, api_name: str = "orders") -> Callable:
    """Decorate a REST handler: bearer check first, ``ApiError`` rendered as PayPal does.

    The handler runs holding ``state.lock`` so one flow step (including its idempotency
    record) is atomic with respect to concurrent requests.
    """

    def decorate(handler: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(handler)
        def endpoint(request: Request, **values) -> Response:
            if bearer_client(state, request) is None:
                return ApiError(401, api=api_name).response()
            try:
                with state.lock:
                    return handler(request, **values)
            except ApiError as exc:
                return exc.response()

        return endpoint

    return decorate


def json_body(
    request: Request,
    *,
    required: bool,
    description: str,
    issue_name: str = "MALFORMED_REQUEST_JSON",
    api_name: str = "orders",
) -> dict:
    """The request's JSON object; an empty body is ``{}`` unless ``required``.

    A body that is not a JSON object answers 400 with ``issue_name`` (each operation's
    document lists its own issue for this) and ``description``.
    """
    raw = request.get_data(cache=True)
    data = None
    if not raw.strip():
        if not required:
            return {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None
    if not isinstance(data, dict):
        raise ApiError(
            400, [issue(issue_name, description, field="/", location="body")], api=api_name
        )
    return data


def mock_code(request: Request) -> str | None:
    """The code asked for in ``PayPal-Mock-Response``, if any."""
    header = request.headers.get("PayPal-Mock-Response")
    if not header:
        return None
    try:
        data = json.loads(header)
        code = data["mock_application_codes"]
    except (ValueError, KeyError, TypeError):
        code = None
    if not isinstance(code, str) or not code:
        raise ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_VALUE",
                    "A parameter value is not valid.",
                    field="PayPal-Mock-Response",
                    value=header,
                    location=None,  # the document knows no "header" location
                )
            ],
        )
    return code


def mock_error(code: str, table: dict[str, tuple[int, str | None]], api_name: str) -> ApiError:
    """The error a ``PayPal-Mock-Response`` code stands for in one operation.

    ``table`` maps code -> (status, description); status 500 needs no description. An
    unknown code is itself an invalid header value, as in PayPal's sandbox.
    """
    if code not in table:
        return ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_VALUE",
                    "A parameter value is not valid.",
                    field="PayPal-Mock-Response",
                    value=code,
                    location=None,  # the document knows no "header" location
                )
            ],
            api=api_name,
        )
    status, description = table[code]
    if status == 500:
        return ApiError(500, api=api_name)
    return ApiError(status, [issue(code, description or code)], api=api_name)


class Idempotency:
    """``PayPal-Request-Id`` records: a replay gets the first success back, nothing changes.

    Keys are per operation (method and path), as PayPal scopes them; only successful answers
    are kept, so a request that failed may be retried with the same id.
    """

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @staticmethod
    def key(request: Request) -> str | None:
        request_id = request.headers.get("PayPal-Request-Id")
        if not request_id:
            return None
        return f"{request.method} {request.path} {request_id}"

    def replay(self, request: Request) -> tuple[int, dict] | None:
        key = self.key(request)
        if key is None:
            return None
        return self.state.table(IDEMPOTENCY).get(key)

    def remember(self, request: Request, status: int, body: dict) -> None:
        key = self.key(request)
        if key is not None:
            self.state.table(IDEMPOTENCY)[key] = (status, body)


def wants_representation(request: Request) -> bool:
    return "return=representation" in request.headers.get("Prefer", "").replace(" ", "")


# --- money ----------------------------------------------------------------------------------


def parse_money(
    money: Any,
    field: str,
    descriptions: dict[str, str],
    *,
    positive: bool = True,
    api_name: str = "orders",
) -> tuple[Decimal, str]:
    """Validate a ``money`` object as PayPal does; returns (amount, currency).

    ``descriptions`` holds the operation's wording for the issues it may raise:
    MISSING_REQUIRED_PARAMETER, INVALID_PARAMETER_SYNTAX, INVALID_CURRENCY_CODE,
    CANNOT_BE_ZERO_OR_NEGATIVE, DECIMAL_PRECISION.
    """
    try:
        return _parse_money(money, field, descriptions, positive=positive)
    except ApiError as exc:
        exc.api = api_name
        raise


def _parse_money(
    money: Any, field: str, descriptions: dict[str, str], *, positive: bool
) -> tuple[Decimal, str]:
    if not isinstance(money, dict):
        raise ApiError(
            400,
            [
                issue(
                    "MISSING_REQUIRED_PARAMETER",
                    descriptions["MISSING_REQUIRED_PARAMETER"],
                    field=field,
                )
            ],
        )
    currency = money.get("currency_code")
    value = money.get("value")
    missing = [
        name for name, v in (("currency_code", currency), ("value", value)) if v in (None, "")
    ]
    if missing:
        raise ApiError(
            400,
            [
                issue(
                    "MISSING_REQUIRED_PARAMETER",
                    descriptions["MISSING_REQUIRED_PARAMETER"],
                    field=f"{field}/{name}",
                )
                for name in missing
            ],
        )
    if not _is_money_value(value):
        raise ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_SYNTAX",
                    descriptions["INVALID_PARAMETER_SYNTAX"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise ApiError(
            422,
            [
                issue(
                    "INVALID_CURRENCY_CODE",
                    descriptions["INVALID_CURRENCY_CODE"],
                    field=f"{field}/currency_code",
                    value=currency,
                )
            ],
        )
    amount = Decimal(value)
    if positive and amount <= 0:
        raise ApiError(
            422,
            [
                issue(
                    "CANNOT_BE_ZERO_OR_NEGATIVE",
                    descriptions["CANNOT_BE_ZERO_OR_NEGATIVE"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ApiError(
            422,
            [
                issue(
                    "DECIMAL_PRECISION",
                    descriptions["DECIMAL_PRECISION"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    return amount, currency


_MONEY_VALUE = re.compile(r"-?[0-9]+|-?[0-9]*[.][0-9]+")  # PayPal's ``money.value`` pattern


def _is_money_value(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 32 and bool(_MONEY_VALUE.fullmatch(value))


def format_amount(amount: Decimal, currency: str) -> str:
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    try:
        return str(amount.quantize(Decimal(1).scaleb(-places)))
    except InvalidOperation:  # pragma: no cover - amounts are validated before
        return str(amount)


def money(amount: Decimal, currency: str) -> dict:
    return {"currency_code": currency, "value": format_amount(amount, currency)}


# --- browser pages ------------------------------------------------------------------------------


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` appended to whatever query it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def html_page(title: str, body: str, status: int = 200) -> Response:
    """A plain page: no script, no inline style, so it works under any CSP and without JS."""
    page = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - PayPal Sandbox</title></head>\n"
        f"<body><header><p>PayPal Sandbox (simulator)</p></header><main><h1>{escape(title)}</h1>\n"
        f"{body}\n</main></body></html>\n"
    )
    return Response(page, status=status, mimetype="text/html")


def redirect(location: str) -> Response:
    response = Response("", status=302)
    response.headers["Location"] = location
    return response

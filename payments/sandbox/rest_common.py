"""Shared plumbing of the simulator's REST side: ids, credentials, tokens, idempotency.

Everything here follows PayPal's REST conventions as its OpenAPI documents describe them:
bearer tokens from ``POST /v1/oauth2/token``; ``PayPal-Request-Id`` idempotency, whose keys
expire as PayPal documents (6 hours for Orders, 45 days for Payments and the rest), measured
on the simulator's clock (``state.now()``, moved by ``/_sandbox/clock``). Error answers are in
``rest_errors``, money in ``rest_money``.

Accepted platform credentials (HTTP Basic on the token endpoint): the built-in pair
``sandbox-platform-client`` / ``sandbox-platform-secret``, plus the pair in the environment
variables ``PAYPAL_SANDBOX_CLIENT_ID`` / ``PAYPAL_SANDBOX_SECRET`` when both are set (read on
every token request, so a running simulator picks up a change).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from werkzeug.wrappers import Request, Response

from .rest_errors import ApiError
from .state import SandboxState

DEFAULT_CLIENT_ID = "sandbox-platform-client"
DEFAULT_SECRET = "sandbox-platform-secret"
TOKEN_TTL_SECONDS = 32400  # what PayPal's sandbox grants (9 hours)

TOKENS = "rest_tokens"
IDEMPOTENCY = "rest_idempotency"
# How long PayPal keeps a PayPal-Request-Id: 6 hours for Orders, 45 days for Payments (and,
# the simulator's choice, for every other API).
IDEMPOTENCY_TTL_SECONDS = (("/v2/checkout/", 6 * 3600), ("", 45 * 86400))

_UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# PayPal payer and merchant ids: 13 characters, no 0/1/I/O (schema ``account_id``).
_ACCOUNT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_id(length: int = 17, alphabet: str = _UPPER_ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_account_id() -> str:
    """A 13-character PayPal payer or merchant id."""
    return new_id(13, _ACCOUNT_ALPHABET)


def stable_account_id(seed: str) -> str:
    """A 13-character account id that is always the same for ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ACCOUNT_ALPHABET[b % len(_ACCOUNT_ALPHABET)] for b in digest[:13])


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base_url(request: Request) -> str:
    return request.host_url.rstrip("/")


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
            "expires_at": state.now() + TOKEN_TTL_SECONDS,
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
    if not record or record["expires_at"] < state.now():
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


class Idempotency:
    """``PayPal-Request-Id`` records: a replay gets the first success back, nothing changes.

    Keys are per operation (method and path), as PayPal scopes them; only successful answers
    are kept, so a request that failed may be retried with the same id. A key older than its
    API's lifetime (``IDEMPOTENCY_TTL_SECONDS``, on the simulator's clock) is forgotten: the
    same id then makes a new request, as at PayPal.
    """

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @staticmethod
    def key(request: Request) -> str | None:
        request_id = request.headers.get("PayPal-Request-Id")
        if not request_id:
            return None
        return f"{request.method} {request.path} {request_id}"

    @staticmethod
    def lifetime(path: str) -> int:
        return next(ttl for prefix, ttl in IDEMPOTENCY_TTL_SECONDS if path.startswith(prefix))

    def replay(self, request: Request) -> tuple[int, dict] | None:
        key = self.key(request)
        record = self.state.table(IDEMPOTENCY).get(key) if key else None
        if record is None:
            return None
        status, body, stored_at = record
        if self.state.now() - stored_at >= self.lifetime(request.path):
            del self.state.table(IDEMPOTENCY)[key]
            return None
        return status, body

    def remember(self, request: Request, status: int, body: dict) -> None:
        key = self.key(request)
        if key is not None:
            self.state.table(IDEMPOTENCY)[key] = (status, body, self.state.now())


def wants_representation(request: Request) -> bool:
    return "return=representation" in request.headers.get("Prefer", "").replace(" ", "")

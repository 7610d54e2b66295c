"""PayPal REST plumbing shared by every REST client: OAuth tokens, the SDK's configuration,
request ids, and reading PayPal's answers (errors included).

OAuth: ``PayPalOAuth`` fetches client-credentials tokens with plain ``requests`` and caches
them per (base URL, client id, secret) for the process. The Orders gateway
(``paypal_orders.PayPalOrdersGateway``) hands them to ``paypal-server-sdk`` through its
``o_auth_token_provider`` hook; ``partner_referrals.PartnerReferralsClient`` sends them
itself. A client that gets a 401 (token revoked or expired early) drops the cached token and
repeats the call once: PayPal did nothing with a request it could not authenticate.

SDK configuration: the SDK only knows PayPal's two hosts, so ``BaseUrlConfiguration``
overrides ``get_base_uri()`` to reach the configured base URL (the bundled simulator in tests
and the demo).

Answers: ``parse_answer`` turns an HTTP answer into a ``PayPalAnswer`` (status, JSON body,
``debug_id``); ``PayPalAnswer.error_result`` maps a 4xx/5xx to a ``GatewayResult``: the
buyer-side issues (``INSTRUMENT_DECLINED``...) to ``Outcome.DECLINED`` with a plain message,
anything else to ``Outcome.ERROR`` carrying PayPal's issue code. Tokens and credentials never
enter a result nor the log.

This module imports no models and reads no settings (``payments.provider_gateways`` passes
the base URL and credentials).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests
from django.utils.translation import gettext_lazy as _
from paypalserversdk.configuration import Configuration, Server

from .base import GatewayError, GatewayResult, GatewayTimeout, Outcome
from .http import shared_session

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 45.0
ZERO_DECIMAL_CURRENCIES = frozenset({"HUF", "JPY", "TWD"})
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,108}$")  # PayPal-Request-Id: 1-108 characters

A, D, E = Outcome.APPROVED, Outcome.DECLINED, Outcome.ERROR

# The buyer-side issues: the PayPal account or its funding was refused; paying again
# (another funding source, or another way) may work.
DECLINE_MESSAGES = {
    "INSTRUMENT_DECLINED": _(
        "PayPal declined the payment method. Please choose another way to pay in PayPal."
    ),
    "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING": _(
        "PayPal declined the payment method. Please choose another way to pay in PayPal."
    ),
    "TRANSACTION_REFUSED": _("PayPal refused the payment. Please try again or pay another way."),
    "PAYER_ACCOUNT_RESTRICTED": _(
        "Your PayPal account cannot be used for this payment. Please pay another way."
    ),
    "PAYER_ACCOUNT_LOCKED_OR_CLOSED": _(
        "Your PayPal account cannot be used for this payment. Please pay another way."
    ),
    "PAYER_CANNOT_PAY": _(
        "Your PayPal account cannot be used for this payment. Please pay another way."
    ),
    "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED": _(
        "Too many payment attempts. Please try again later or pay another way."
    ),
    "TRANSACTION_LIMIT_EXCEEDED": _(
        "The amount is above your PayPal account's limit. Please pay another way."
    ),
}
ERROR_MESSAGES = {
    "ORDER_NOT_APPROVED": _("The payment was not approved in PayPal. Please try again."),
    "RESOURCE_NOT_FOUND": _("PayPal does not know this payment."),
    "PAYEE_ACCOUNT_RESTRICTED": _("The organizer's PayPal account cannot receive payments."),
    "PAYEE_ACCOUNT_LOCKED_OR_CLOSED": _("The organizer's PayPal account cannot receive payments."),
    "REFUND_AMOUNT_EXCEEDED": _("The refund is larger than what is left of the payment."),
    "CAPTURE_FULLY_REFUNDED": _("This payment has already been refunded in full."),
}
_SERVER_ERROR = _("PayPal could not process the payment. Please try again later.")
_REQUEST_ERROR = _("PayPal refused the request. Please contact the organizer.")


# --- plumbing shared with partner_referrals ---------------------------------------------------


def auth_assertion(client_id: str, merchant_id: str) -> str:
    """``PayPal-Auth-Assertion``: the unsigned JWT by which a partner names the merchant it acts
    for (``{"alg":"none"}`` header, ``iss`` = the partner's client id, ``payer_id`` = the
    merchant's PayPal id), as PayPal requires on third-party calls such as refunds."""

    def part(value: dict) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'iss': client_id, 'payer_id': merchant_id})}."


def wire_request_id(request_id: str) -> str:
    """The ``PayPal-Request-Id`` for a caller's idempotency key (1-108 printable characters).

    A longer or unprintable key is hashed deterministically, so every retry of one attempt
    still carries the same id.
    """
    if not request_id:
        raise ValueError("a request id is required")
    if _REQUEST_ID.match(request_id):
        return request_id
    return hashlib.sha256(request_id.encode("utf-8")).hexdigest()


def mock_header(mock_response: str | None) -> str | None:
    """``PayPal-Mock-Response`` for a code (``"INSTRUMENT_DECLINED"``) or a full JSON value."""
    if not mock_response:
        return None
    if mock_response.lstrip().startswith("{"):
        return mock_response
    return json.dumps({"mock_application_codes": mock_response})


def format_amount(amount: Decimal, currency: str) -> str:
    places = Decimal(1) if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return f"{Decimal(amount).quantize(places, rounding=ROUND_HALF_UP):f}"


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


class PayPalOAuth:
    """Client-credentials access tokens for one platform account, cached per process.

    Tokens are reused until a minute before PayPal says they expire, shared by every client
    built with the same base URL and credentials (gateways are cheap to build per request).
    """

    _cache: dict[tuple[str, str, str], _Token] = {}
    _cache_lock = threading.Lock()

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        *,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not client_id or not secret:
            raise GatewayError("PayPal REST credentials are not configured")
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._secret = secret
        self.session = session or shared_session()
        self.timeout = timeout
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        self._key = (self.base_url, client_id, digest)

    def __repr__(self) -> str:
        return f"PayPalOAuth(base_url={self.base_url!r}, client_id={self.client_id!r})"

    @classmethod
    def clear_cache(cls) -> None:
        """Forget every cached token (tests; a rotated secret needs nothing: keys differ)."""
        with cls._cache_lock:
            cls._cache.clear()

    def access_token(self) -> str:
        with self._cache_lock:
            token = self._cache.get(self._key)
            if token is not None and token.expires_at > time.monotonic():
                return token.value
        token = self._fetch()
        with self._cache_lock:
            self._cache[self._key] = token
        return token.value

    def invalidate(self, value: str | None = None) -> None:
        """Forget the cached token (only if it is still ``value``, when given)."""
        with self._cache_lock:
            token = self._cache.get(self._key)
            if token is not None and (value is None or token.value == value):
                del self._cache[self._key]

    def authorization(self) -> str:
        return f"Bearer {self.access_token()}"

    def _fetch(self) -> _Token:
        basic = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode("ascii")
        try:
            response = self.session.post(
                f"{self.base_url}/v1/oauth2/token",
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise GatewayTimeout(
                f"PayPal token endpoint did not answer: {type(exc).__name__}"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and body.get("access_token"):
            lifetime = max(int(body.get("expires_in") or 0) - 60, 30)
            logger.info("PayPal OAuth token issued for client %s", self.client_id)
            return _Token(body["access_token"], time.monotonic() + lifetime)
        error = body.get("error") or f"HTTP {response.status_code}"
        logger.warning("PayPal OAuth refused client %s: %s", self.client_id, error)
        if response.status_code == 401:
            raise GatewayError(f"PayPal rejected the platform REST credentials ({error})")
        raise GatewayError(f"PayPal token endpoint failed ({error})")


class BaseUrlConfiguration(Configuration):
    """The SDK's configuration pointed at any base URL (the SDK only knows PayPal's hosts)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self._base_url = base_url.rstrip("/")
        super().__init__(**kwargs)

    def get_base_uri(self, server: Server = Server.DEFAULT) -> str:
        return self._base_url


@dataclass(frozen=True)
class PayPalAnswer:
    """One HTTP answer from PayPal, parsed: status, JSON body, debug id."""

    status: int
    body: dict
    debug_id: str

    @property
    def issue(self) -> str:
        details = self.body.get("details") or []
        if details and isinstance(details[0], dict) and details[0].get("issue"):
            return str(details[0]["issue"])
        return str(self.body.get("name") or f"HTTP_{self.status}")

    @property
    def description(self) -> str:
        details = self.body.get("details") or []
        if details and isinstance(details[0], dict) and details[0].get("description"):
            return str(details[0]["description"])
        return str(self.body.get("message") or "")

    def raw(self) -> dict:
        return {"http_status": self.status, "debug_id": self.debug_id, "body": self.body}

    def error_result(self, *, order_id: str = "") -> GatewayResult:
        """A 4xx/5xx as a result: a buyer-side decline, or an error with PayPal's code."""
        issue = self.issue
        if self.status == 422 and issue in DECLINE_MESSAGES:
            outcome, message = D, DECLINE_MESSAGES[issue]
        elif self.status >= 500:
            outcome, message = E, _SERVER_ERROR
        else:
            outcome, message = E, ERROR_MESSAGES.get(issue, _REQUEST_ERROR)
        return GatewayResult(
            outcome=outcome, code=issue, message=str(message), order_id=order_id, raw=self.raw()
        )


def parse_answer(status: int, text: str, headers: Any) -> PayPalAnswer:
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    debug_id = ""
    if headers is not None:
        debug_id = headers.get("PayPal-Debug-Id") or headers.get("paypal-debug-id") or ""
    return PayPalAnswer(status, body, debug_id or str(body.get("debug_id") or ""))


def find_link(body: dict, *rels: str) -> str:
    for rel in rels:
        for link in body.get("links") or []:
            if isinstance(link, dict) and link.get("rel") == rel and link.get("href"):
                return str(link["href"])
    return ""


class PlatformRestClient:
    """A JSON client of one PayPal REST API with the platform's credentials.

    ``_send`` makes one call with a bearer token from ``PayPalOAuth``; a 401 drops the cached
    token and repeats the call once (PayPal did nothing with a request it could not
    authenticate). No answer at all raises ``GatewayTimeout``; any HTTP answer comes back as a
    ``PayPalAnswer`` for the subclass to read. Subclasses name their API in ``api_name``.
    """

    api_name = "REST"

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or shared_session()
        self.oauth = PayPalOAuth(
            self.base_url, client_id, secret, session=self.session, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _send(self, method: str, path: str, **kwargs: Any) -> PayPalAnswer:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        for attempt in (1, 2):
            token = self.oauth.access_token()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                    timeout=self.timeout,
                    **kwargs,
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise GatewayTimeout(
                    f"PayPal {self.api_name}: no answer ({type(exc).__name__})"
                ) from None
            answer = parse_answer(response.status_code, response.text, response.headers)
            if answer.status == 401 and attempt == 1:
                self.oauth.invalidate(token)
                continue
            logger.info(
                "PayPal %s %s: HTTP %s debug_id=%s", method, path, answer.status, answer.debug_id
            )
            return answer
        return answer  # pragma: no cover - the loop always returns

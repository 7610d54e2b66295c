"""PayPal REST client: Orders v2 (PayPal-button payments) and Payments v2 refunds.

Built on PayPal's official ``paypal-server-sdk`` (package ``paypalserversdk``). The SDK only
knows PayPal's two hosts, so ``BaseUrlConfiguration`` overrides ``get_base_uri()`` to reach
the configured base URL (the bundled simulator in tests and the demo). Calls go through one
pooled ``requests.Session`` (``shared_session()``, or the session a test passes) with the
time-out on every request, and no automatic retries: a money-moving call is only ever
repeated by the caller, with the same ``PayPal-Request-Id``.

OAuth: ``PayPalOAuth`` fetches client-credentials tokens with plain ``requests`` and caches
them per (base URL, client id, secret) for the process; the SDK takes them through its
``o_auth_token_provider`` hook, and ``partner_referrals.PartnerReferralsClient`` uses the same
class. A 401 on an API call (token revoked or expired early) drops the cached token and
repeats the call once: PayPal did nothing with a request it could not authenticate.

Results, as ``base.py`` requires: declines (``INSTRUMENT_DECLINED`` and the other buyer-side
issues) -> ``Outcome.DECLINED`` with a plain message; any other 4xx or a 5xx ->
``Outcome.ERROR`` carrying PayPal's issue code; no answer (time-out, refused or dropped
connection) -> ``GatewayTimeout``; platform credentials refused -> ``GatewayError``.
``raw`` holds the HTTP status, PayPal's ``debug_id`` and the answer's JSON, which carries no
secret (tokens and credentials never enter ``raw`` nor the log).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests
from apimatic_core.utilities.auth_helper import AuthHelper
from django.utils.translation import gettext_lazy as _
from paypalserversdk.api_helper import APIHelper
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money
from paypalserversdk.models.o_auth_token import OAuthToken
from paypalserversdk.models.order_application_context import OrderApplicationContext
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payee_base import PayeeBase
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from .base import Checkout, GatewayError, GatewayResult, GatewayTimeout, Outcome
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


def _captures(body: dict) -> list[dict]:
    return [
        capture
        for unit in body.get("purchase_units") or []
        for capture in ((unit.get("payments") or {}).get("captures") or [])
    ]


# --- Orders v2 -------------------------------------------------------------------------------


class PayPalOrdersGateway:
    """``RedirectGateway`` over Orders v2 for one payee (the organizer's PayPal email).

    The platform's REST credentials (``client_id``/``secret``) call the API; the money goes to
    ``payee_email`` through ``purchase_units[].payee``. ``mock_response`` (a code such as
    ``"INSTRUMENT_DECLINED"``, or a JSON value) is sent as ``PayPal-Mock-Response`` on every
    call, for negative tests against PayPal's sandbox or the simulator; each call also takes
    its own ``mock_response``. ``merchant_id`` (the payee's ``merchantIdInPayPal``, once it
    granted API permission) names the merchant the platform refunds for.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        payee_email: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        session: requests.Session | None = None,
        mock_response: str | None = None,
        brand_name: str = "",
        merchant_id: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.payee_email = payee_email
        self.merchant_id = merchant_id
        self.timeout = timeout
        self.mock_response = mock_response
        self.brand_name = brand_name[:127]
        self.session = session or shared_session()
        self.oauth = PayPalOAuth(
            self.base_url, client_id, secret, session=self.session, timeout=timeout
        )
        self._sdk_token: OAuthToken | None = None
        config = BaseUrlConfiguration(
            self.base_url,
            http_client_instance=self.session,
            timeout=timeout,
            max_retries=0,
            environment=Environment.SANDBOX,  # ignored: get_base_uri() is overridden
            client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                o_auth_client_id=client_id,
                o_auth_client_secret=secret,
                o_auth_token_provider=self._provide_token,
            ),
        )
        self.sdk = PaypalServersdkClient(config=config)

    def __repr__(self) -> str:
        return f"PayPalOrdersGateway(base_url={self.base_url!r}, payee_email={self.payee_email!r})"

    # The SDK asks for a token whenever the one it holds has expired; handing it tokens that
    # "expire" after a minute keeps it asking PayPalOAuth, whose cache is the one that counts.
    def _provide_token(self, _last_token: Any, _auth_manager: Any) -> OAuthToken:
        token = OAuthToken(
            access_token=self.oauth.access_token(),
            token_type="Bearer",
            expires_in=60,
            expiry=AuthHelper.get_current_utc_timestamp() + 60,
        )
        self._sdk_token = token
        return token

    def _call(self, operation: str, send: Callable[[], Any], *, order_id: str = "") -> PayPalAnswer:
        """Run one SDK call: re-authenticate once on 401, map transport failures."""
        for attempt in (1, 2):
            try:
                response = send()
                answer = parse_answer(response.status_code, response.text, response.headers)
            except ApiException as exc:
                http = exc.response
                answer = parse_answer(exc.response_code, http.text, getattr(http, "headers", None))
            except (requests.Timeout, requests.ConnectionError) as exc:
                logger.warning(
                    "PayPal %s got no answer (%s) order=%s", operation, type(exc).__name__, order_id
                )
                raise GatewayTimeout(
                    f"PayPal {operation}: no answer ({type(exc).__name__})"
                ) from None
            if answer.status == 401 and attempt == 1:
                self.oauth.invalidate()
                if self._sdk_token is not None:
                    self._sdk_token.expiry = 0  # the SDK asks for a fresh one
                continue
            break
        logger.info(
            "PayPal %s: HTTP %s debug_id=%s order=%s",
            operation,
            answer.status,
            answer.debug_id,
            order_id or answer.body.get("id", ""),
        )
        return answer

    def _options(self, request_id: str | None, mock_response: str | None, **options) -> dict:
        mock = mock_header(mock_response or self.mock_response)
        if mock:
            options["paypal_mock_response"] = mock
        if request_id:
            options["paypal_request_id"] = wire_request_id(request_id)
        return options

    def start_checkout(
        self,
        amount: Decimal,
        currency: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
        *,
        description: str = "",
        mock_response: str | None = None,
    ) -> Checkout:
        """Create an order for ``payee_email`` and return its approval URL.

        Does not move money. On failure the ``Checkout`` has no token nor URL and its
        ``result`` says why.
        """
        currency = currency.upper()
        unit = PurchaseUnitRequest(
            amount=AmountWithBreakdown(
                currency_code=currency, value=format_amount(amount, currency)
            ),
            payee=PayeeBase(email_address=self.payee_email),
            custom_id=request_id[:127],
            description=description[:127] if description else APIHelper.SKIP,
        )
        context = OrderApplicationContext(
            brand_name=self.brand_name or APIHelper.SKIP,
            return_url=return_url,
            cancel_url=cancel_url,
            shipping_preference="NO_SHIPPING",
            user_action="PAY_NOW",
        )
        body = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE, purchase_units=[unit], application_context=context
        )
        options = self._options(request_id, mock_response, body=body)
        answer = self._call("create order", lambda: self.sdk.orders.create_order(options))
        if answer.status not in (200, 201):
            return Checkout(token="", approval_url="", result=answer.error_result())
        order_id = str(answer.body.get("id") or "")
        approval_url = find_link(answer.body, "approve", "payer-action")
        if not order_id or not approval_url:
            raise GatewayError("PayPal created an order without an id or an approval link")
        result = GatewayResult(
            outcome=A,
            code=str(answer.body.get("status") or "CREATED"),
            message=str(_("Continue to PayPal to approve the payment.")),
            order_id=order_id,
            duplicate=answer.status == 200,
            raw=answer.raw(),
        )
        return Checkout(token=order_id, approval_url=approval_url, result=result)

    def complete_checkout(
        self,
        token: str,
        payer_id: str,
        amount: Decimal,
        currency: str,
        request_id: str,
        *,
        mock_response: str | None = None,
    ) -> GatewayResult:
        """Capture the approved order ``token``. **Moves money.** Idempotent by ``request_id``.

        ``payer_id`` (from the return URL) and ``amount`` are compared with what PayPal
        reports (a mismatch is logged; the amount was fixed server-side at creation). A repeat
        with the same ``request_id`` gets the first capture back (``duplicate``), and an order
        captured earlier under another id is looked up rather than reported as a failure.
        """
        options = self._options(request_id, mock_response, id=token, prefer="return=representation")
        answer = self._call(
            "capture order", lambda: self.sdk.orders.capture_order(options), order_id=token
        )
        if answer.status not in (200, 201):
            if answer.status == 422 and answer.issue == "ORDER_ALREADY_CAPTURED":
                return replace(self.lookup(token), duplicate=True)
            return answer.error_result(order_id=token)
        result = self._order_result(answer, token)
        reported_payer = str((answer.body.get("payer") or {}).get("payer_id") or "")
        if payer_id and reported_payer and payer_id != reported_payer:
            logger.warning(
                "PayPal capture of %s: payer %s, return URL said %s",
                token,
                reported_payer,
                payer_id,
            )
        captured = _captures(answer.body)
        if captured:
            value = (captured[0].get("amount") or {}).get("value")
            if value != format_amount(amount, currency.upper()):
                logger.warning(
                    "PayPal capture of %s: captured %s, expected %s", token, value, amount
                )
        return replace(result, duplicate=answer.status == 200)

    def lookup(self, token: str, request_id: str = "") -> GatewayResult:
        """The order's state: ``approved`` only when money was collected (a capture exists).

        ``code`` is the order status (``CREATED``, ``APPROVED``: not collected yet;
        ``COMPLETED``: collected; ``VOIDED``: dropped). ``request_id`` is not needed: an
        order is found by its id. Never moves money.
        """
        options = self._options(None, None, id=token)
        answer = self._call("get order", lambda: self.sdk.orders.get_order(options), order_id=token)
        if answer.status != 200:
            return answer.error_result(order_id=token)
        return self._order_result(answer, token)

    def refund(
        self,
        reference: str,
        amount: Decimal | None,
        currency: str,
        request_id: str,
        *,
        mock_response: str | None = None,
        merchant_id: str = "",
    ) -> GatewayResult:
        """Refund capture ``reference`` in full (``None``) or in part. **Moves money.**

        Idempotent by ``request_id``. ``reference`` of the result is the refund's id.
        ``merchant_id`` (the payee's ``merchantIdInPayPal``; the gateway's own by default) is
        sent as PayPal-Auth-Assertion: the platform refunds on the merchant's behalf.
        """
        merchant_id = merchant_id or self.merchant_id
        body = RefundRequest()
        if amount is not None:
            body = RefundRequest(
                amount=Money(currency_code=currency.upper(), value=format_amount(amount, currency))
            )
        options = self._options(
            request_id,
            mock_response,
            capture_id=reference,
            body=body,
            prefer="return=representation",
        )
        if merchant_id:
            options["paypal_auth_assertion"] = auth_assertion(self.oauth.client_id, merchant_id)
        answer = self._call(
            "refund capture", lambda: self.sdk.payments.refund_captured_payment(options)
        )
        if answer.status not in (200, 201):
            return answer.error_result()
        status = str(answer.body.get("status") or "")
        outcome = A if status in ("COMPLETED", "PENDING") else D
        message = (
            _("The payment was refunded.")
            if outcome is A
            else _("PayPal did not complete the refund.")
        )
        return GatewayResult(
            outcome=outcome,
            code=status,
            message=str(message),
            reference=str(answer.body.get("id") or ""),
            raw=answer.raw(),
        )

    def _order_result(self, answer: PayPalAnswer, token: str) -> GatewayResult:
        body = answer.body
        status = str(body.get("status") or "")
        captures = _captures(body)
        capture = captures[0] if captures else {}
        capture_status = str(capture.get("status") or "")
        if status == "COMPLETED" and capture_status in (
            "COMPLETED",
            "PENDING",
            "PARTIALLY_REFUNDED",
            "REFUNDED",
        ):
            outcome, code, message = A, status, _("Payment approved.")
            if capture_status == "PENDING":
                code = "PENDING"
        elif capture_status in ("DECLINED", "FAILED") or status == "VOIDED":
            outcome, code, message = (
                D,
                capture_status or status,
                _("PayPal did not complete the payment. Please try again or pay another way."),
            )
        else:
            outcome, code, message = E, status, _("The payment has not been collected yet.")
        return GatewayResult(
            outcome=outcome,
            code=code,
            message=str(message),
            reference=str(capture.get("id") or ""),
            order_id=str(body.get("id") or token),
            raw=answer.raw(),
        )

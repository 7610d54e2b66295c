"""PayPal Orders v2 (PayPal-button payments) and Payments v2 refunds: ``RedirectGateway``.

Built on PayPal's official ``paypal-server-sdk`` (package ``paypalserversdk``), configured by
``paypal_rest.BaseUrlConfiguration`` and authenticated by ``paypal_rest.PayPalOAuth``. Calls go
through one pooled ``requests.Session`` (``shared_session()``, or the session a test passes)
with the time-out on every request, and no automatic retries: a money-moving call is only ever
repeated by the caller, with the same ``PayPal-Request-Id``. A 401 drops the cached token and
repeats the call once.

Results, as ``base.py`` requires: declines (``INSTRUMENT_DECLINED`` and the other buyer-side
issues) -> ``Outcome.DECLINED`` with a plain message; any other 4xx or a 5xx ->
``Outcome.ERROR`` carrying PayPal's issue code; no answer (time-out, refused or dropped
connection) -> ``GatewayTimeout``; platform credentials refused -> ``GatewayError``.
``raw`` holds the HTTP status, PayPal's ``debug_id`` and the answer's JSON, which carries no
secret (tokens and credentials never enter ``raw`` nor the log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import requests
from apimatic_core.utilities.auth_helper import AuthHelper
from django.utils.translation import gettext_lazy as _
from paypalserversdk.api_helper import APIHelper
from paypalserversdk.configuration import Environment
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
from .limits import ORDERS, fit
from .paypal_rest import (
    DEFAULT_TIMEOUT,
    BaseUrlConfiguration,
    PayPalAnswer,
    PayPalOAuth,
    auth_assertion,
    find_link,
    format_amount,
    mock_header,
    parse_answer,
    wire_request_id,
)

logger = logging.getLogger(__name__)

A, D, E = Outcome.APPROVED, Outcome.DECLINED, Outcome.ERROR


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
        self.brand_name = fit(brand_name, ORDERS["brand_name"])
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

    def _call(
        self,
        operation: str,
        send: Callable[[], Any],
        *,
        order_id: str = "",
        server_error_is_final: bool = False,
    ) -> PayPalAnswer:
        """Run one SDK call: re-authenticate once on 401, map transport failures.

        A 5xx raises ``GatewayTimeout`` (the outcome is unknown: retry with the same request
        id, or look up) unless ``server_error_is_final`` (nothing can have happened)."""
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
        if answer.status >= 500 and not server_error_is_final:
            raise GatewayTimeout(f"PayPal {operation}: HTTP {answer.status}, outcome unknown")
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
            custom_id=fit(request_id, ORDERS["custom_id"]),
            description=fit(description, ORDERS["description"]) or APIHelper.SKIP,
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
        answer = self._call(
            "create order",
            lambda: self.sdk.orders.create_order(options),
            server_error_is_final=True,  # no order exists: the attendee may simply try again
        )
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

    def buyer_approved(self, token: str) -> bool:
        """The order is ``APPROVED`` (or collected already: ``COMPLETED``)."""
        options = self._options(None, None, id=token)
        answer = self._call("get order", lambda: self.sdk.orders.get_order(options), order_id=token)
        return answer.status == 200 and answer.body.get("status") in ("APPROVED", "COMPLETED")

    def lookup(self, token: str, request_id: str = "") -> GatewayResult:
        """The order's state: ``approved`` only when money was collected (a capture exists),
        ``pending`` while PayPal holds the capture.

        ``code`` is the order status (``CREATED``, ``APPROVED``: not collected yet, an error
        outcome; ``COMPLETED``: collected; ``VOIDED``: dropped). ``request_id`` is not needed: an
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
        pending_reason = ""
        if status == "COMPLETED" and capture_status == "PENDING":
            outcome, code, message = Outcome.PENDING, "PENDING", _("PayPal is holding the payment.")
            pending_reason = str((capture.get("status_details") or {}).get("reason") or "OTHER")
        elif status == "COMPLETED" and capture_status in (
            "COMPLETED",
            "PARTIALLY_REFUNDED",
            "REFUNDED",
        ):
            outcome, code, message = A, status, _("Payment approved.")
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
            pending_reason=pending_reason,
        )

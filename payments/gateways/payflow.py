"""Payflow Gateway client: cards (Payflow Pro, Website Payments Pro Payflow Edition) and
Express Checkout through Payflow.

PayPal ships no maintained Python SDK for Payflow, so this speaks the wire format itself
(``payflow_wire``: a raw name-value body) with ``Content-Type: text/namevalue``,
``X-VPS-REQUEST-ID`` and ``X-VPS-CLIENT-TIMEOUT``. US merchants use ``PARTNER=PayPal``, GB merchants
(Website Payments Pro Payflow Edition) ``PARTNER=PayPalUK``: nothing else differs.

Reliability, as ``base.py`` requires:

- Every call has explicit connect and read time-outs, over one pooled ``requests.Session``.
- A connection error (refused, reset, or closed with no answer) is retried a few times with
  the **same** ``X-VPS-REQUEST-ID``: Payflow answers a repeat with the original result plus
  ``DUPLICATE=1`` and never charges twice. A read time-out is not retried (that would only
  stretch the buyer's wait); it raises ``GatewayTimeout`` straight away.
- No answer at all after the retries -> ``GatewayTimeout``. The caller keeps the payment
  pending and resolves it with ``inquiry(request_id=...)``: every transaction carries a
  ``CUSTREF`` derived from its request id (12 characters, PayPal's limit), and Payflow's
  inquiry by ``CUSTREF`` returns the latest transaction that carried it.

Secrets never leave this module: ``raw`` drops ``ACCT``, ``CVV2``, ``EXPDATE`` and ``PWD``,
and the log lines carry the transaction type, request id, RESULT and PNREF only.

This module imports no models and reads no settings: ``payments.provider_gateways`` builds
the clients from an account's plain values and the configured endpoints. Messages are lazily
translatable and rendered (in the active language) when a result is built.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext_lazy as _

from .base import CardDetails, Checkout, GatewayError, GatewayResult, GatewayTimeout, Outcome
from .http import shared_session
from .limits import fit_fields
from .payflow_wire import (
    NOT_FOUND,
    SECRET_FIELDS,
    custref_for,
    decode_nvp,
    describe_result,
    encode_nvp,
    format_amount,
    wire_request_id,
)

logger = logging.getLogger(__name__)

A, D, E = Outcome.APPROVED, Outcome.DECLINED, Outcome.ERROR

# TRANSSTATE values meaning the original did not (or will not) move money.
_FAILED_TRANSSTATES = frozenset({1, 10, 11, 12, 14, 15, 16})
# Card wording does not fit a buyer paying from their PayPal account.
_PAYPAL_DECLINED = _("PayPal did not complete the payment. Please try again or pay another way.")


# --- the card gateway ----------------------------------------------------------------------


class PayflowClient:
    """``CardGateway`` over Payflow, for one merchant account (partner, vendor, user)."""

    def __init__(
        self,
        endpoint_url: str,
        partner: str,
        vendor: str,
        user: str,
        password: str,
        timeout: float = 45.0,
        *,
        connect_timeout: float = 10.0,
        retries: int = 2,
        retry_backoff: float = 0.2,
        session: requests.Session | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.partner = partner
        self.vendor = vendor
        self.user = user or vendor
        self._password = password
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.session = session or shared_session()

    def __repr__(self) -> str:  # never shows the password
        return (
            f"PayflowClient({self.endpoint_url!r}, partner={self.partner!r}, "
            f"vendor={self.vendor!r})"
        )

    # CardGateway --------------------------------------------------------------------------

    def sale(
        self,
        card: CardDetails,
        amount: Decimal,
        currency: str,
        request_id: str,
        *,
        invoice: str = "",
    ) -> GatewayResult:
        """Authorize and capture (``TRXTYPE=S``). **Moves money.** Idempotent by request id."""
        fields = self._card_fields("S", card, amount, currency)
        if invoice:
            fields["INVNUM"] = invoice
        return self.transact(fields, request_id)

    def authorize(
        self, card: CardDetails, amount: Decimal, currency: str, request_id: str
    ) -> GatewayResult:
        """Hold funds (``TRXTYPE=A``); capture or void later by the returned reference."""
        return self.transact(self._card_fields("A", card, amount, currency), request_id)

    def capture(self, reference: str, amount: Decimal | None, request_id: str) -> GatewayResult:
        """Delayed capture (``TRXTYPE=D``) of an authorization, in full when ``amount`` is None."""
        fields = {"TRXTYPE": "D", "TENDER": "C", "ORIGID": reference}
        if amount is not None:
            fields["AMT"] = format_amount(amount)
        return self.transact(fields, request_id)

    def void(self, reference: str, request_id: str) -> GatewayResult:
        """Cancel an uncaptured authorization (``TRXTYPE=V``)."""
        return self.transact({"TRXTYPE": "V", "TENDER": "C", "ORIGID": reference}, request_id)

    def credit(
        self, reference: str, amount: Decimal | None, request_id: str, *, tender: str = "C"
    ) -> GatewayResult:
        """Refund (``TRXTYPE=C``) a sale, capture or EC payment; in full when ``amount`` is None.
        **Moves money.** The currency is the original's."""
        fields = {"TRXTYPE": "C", "TENDER": tender, "ORIGID": reference}
        if amount is not None:
            fields["AMT"] = format_amount(amount)
        return self.transact(fields, request_id)

    def refund(
        self, reference: str, amount: Decimal | None, currency: str, request_id: str
    ) -> GatewayResult:
        """``RefundGateway``: credit a card sale (``TENDER=C``). **Moves money.**
        Payflow refunds in the original's currency; ``currency`` is not sent."""
        return self.credit(reference, amount, request_id)

    def test_connection(self) -> GatewayResult:
        """``ConnectionTest``: an inquiry for a reference that cannot exist. RESULT 19 (not
        found) or 0 proves the credentials were accepted (approved); RESULT 1 means they were
        not. The message is PayPal's ``RESPMSG``. Never moves money."""
        result = self.inquiry(reference="TESTCONNECTN")
        accepted = result.code in ("0", NOT_FOUND)
        return replace(
            result,
            outcome=A if accepted else E,
            message=result.raw.get("RESPMSG") or result.message,
        )

    def inquiry(
        self, *, reference: str = "", request_id: str = "", tender: str = "C"
    ) -> GatewayResult:
        """Look up an earlier transaction by PNREF or by the request id it was sent with.

        The result describes the **original**: its outcome, RESULT code and PNREF;
        ``raw["TRANSSTATE"]`` has PayPal's state. Nothing found -> outcome error with code
        ``NOT_FOUND`` ("19"): the original never reached PayPal.
        """
        if bool(reference) == bool(request_id):
            raise ValueError("inquiry needs exactly one of reference or request_id")
        fields = {"TRXTYPE": "I", "TENDER": tender}
        if reference:
            fields["ORIGID"] = reference
        else:
            fields["CUSTREF"] = custref_for(request_id)
        answer = self.post(fields, uuid.uuid4().hex)
        if answer.get("RESULT") != "0":
            return self.read_answer(answer)
        original = int(answer.get("ORIGRESULT", "0"))
        outcome, message = describe_result(original)
        transstate = int(answer.get("TRANSSTATE", "0") or 0)
        if outcome is Outcome.APPROVED and transstate in _FAILED_TRANSSTATES:
            outcome, message = E, str(_("This payment did not go through."))
        return _held(
            GatewayResult(
                outcome=outcome,
                code=str(original),
                message=message,
                reference=answer.get("ORIGPNREF") or answer.get("PNREF", ""),
                order_id=answer.get("TOKEN", ""),
                raw=self._clean(answer),
            ),
            original,
        )

    # Plumbing -----------------------------------------------------------------------------

    def transact(self, fields: dict[str, str], request_id: str, **extra) -> GatewayResult:
        """Send one transaction tagged with the request id's CUSTREF, and read the answer."""
        fields = {**fields, "CUSTREF": custref_for(request_id)}
        return self.read_answer(self.post(fields, request_id), **extra)

    def post(self, fields: dict[str, str], request_id: str) -> dict[str, str]:
        """POST one request; retries connection errors with the same request id."""
        wire_id = wire_request_id(request_id)
        body = encode_nvp(self._credentials() | fit_fields(fields))
        headers = {
            "Content-Type": "text/namevalue",
            "X-VPS-REQUEST-ID": wire_id,
            "X-VPS-CLIENT-TIMEOUT": str(max(1, math.ceil(self.timeout))),
        }
        trxtype = fields.get("TRXTYPE", "?") + fields.get("ACTION", "")
        response = None
        for attempt in range(self.retries + 1):
            try:
                response = self.session.post(
                    self.endpoint_url,
                    data=body,
                    headers=headers,
                    timeout=(self.connect_timeout, self.timeout),
                    allow_redirects=False,
                )
                break
            except requests.ConnectTimeout:
                failure = "could not connect"
            except requests.Timeout:
                logger.warning("Payflow %s %s: no answer in %ss", trxtype, wire_id, self.timeout)
                raise GatewayTimeout(f"Payflow gave no answer within {self.timeout}s") from None
            except requests.ConnectionError:
                failure = "connection lost"
            logger.warning("Payflow %s %s: %s (attempt %d)", trxtype, wire_id, failure, attempt + 1)
            if attempt < self.retries:
                time.sleep(self.retry_backoff * (2**attempt))
        if response is None:
            raise GatewayTimeout("Payflow could not be reached or dropped the connection")
        if response.status_code >= 500:
            # A front end failing after forwarding: the request may have been processed.
            raise GatewayTimeout(f"Payflow answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise GatewayError(f"Payflow answered HTTP {response.status_code}")
        try:
            answer = decode_nvp(response.content)
        except (ValueError, UnicodeDecodeError):
            raise GatewayError("Payflow sent a malformed answer") from None
        if "RESULT" not in answer:
            raise GatewayError("Payflow answer has no RESULT")
        logger.info(
            "Payflow %s %s: RESULT=%s PNREF=%s%s",
            trxtype,
            wire_id,
            answer.get("RESULT"),
            answer.get("PNREF", "-"),
            " (duplicate)" if answer.get("DUPLICATE") == "1" else "",
        )
        return answer

    def _credentials(self) -> dict[str, str]:
        return {
            "PARTNER": self.partner,
            "VENDOR": self.vendor,
            "USER": self.user,
            "PWD": self._password,
        }

    def _card_fields(
        self, trxtype: str, card: CardDetails, amount: Decimal, currency: str
    ) -> dict[str, str]:
        fields = {
            "TRXTYPE": trxtype,
            "TENDER": "C",
            "ACCT": card.number.replace(" ", ""),
            "EXPDATE": f"{card.exp_month:02d}{card.exp_year % 100:02d}",
            "AMT": format_amount(amount),
            "CURRENCY": currency.upper(),
        }
        if card.security_code:
            fields["CVV2"] = card.security_code
        first, _sep, last = card.name.strip().rpartition(" ")
        if card.name.strip():
            fields["BILLTOFIRSTNAME"] = first or last
            if first:
                fields["BILLTOLASTNAME"] = last
        if card.street:
            fields["BILLTOSTREET"] = card.street
        if card.postal_code:
            fields["BILLTOZIP"] = card.postal_code
        return fields

    @staticmethod
    def _clean(answer: Mapping[str, str]) -> dict[str, str]:
        return {name: value for name, value in answer.items() if name not in SECRET_FIELDS}

    def read_answer(self, answer: Mapping[str, str], *, order_id: str = "") -> GatewayResult:
        try:
            code = int(answer.get("RESULT", ""))
        except ValueError:
            raise GatewayError("Payflow answer has a non-numeric RESULT") from None
        outcome, message = describe_result(code)
        return _held(
            GatewayResult(
                outcome=outcome,
                code=str(code),
                message=message,
                reference=answer.get("PNREF", ""),
                order_id=order_id or answer.get("TOKEN", ""),
                duplicate=answer.get("DUPLICATE") == "1",
                raw=self._clean(answer),
            ),
            code,
        )


# --- Express Checkout through Payflow --------------------------------------------------------


class PayflowExpressCheckout:
    """``RedirectGateway``: Express Checkout with ``TENDER=P`` on a Payflow account.

    ``redirect_url`` is PayPal's buyer page (``.../cgi-bin/webscr``); the approval URL adds
    ``cmd=_express-checkout&token=TOKEN``.
    """

    def __init__(self, client: PayflowClient, redirect_url: str) -> None:
        self.client = client
        self.redirect_url = redirect_url

    def start_checkout(
        self,
        amount: Decimal,
        currency: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
        *,
        description: str = "",
    ) -> Checkout:
        """``ACTION=S``. When PayPal refuses, ``token`` and ``approval_url`` are empty and
        ``result`` says why."""
        fields = {
            "TRXTYPE": "S",
            "TENDER": "P",
            "ACTION": "S",
            "AMT": format_amount(amount),
            "CURRENCY": currency.upper(),
            "RETURNURL": return_url,
            "CANCELURL": cancel_url,
        }
        if description:
            fields["ORDERDESC"] = description
        result = self.client.read_answer(self.client.post(fields, request_id))
        if not result.approved or not result.order_id:
            return Checkout(token="", approval_url="", result=result)
        separator = "&" if "?" in self.redirect_url else "?"
        query = urlencode({"cmd": "_express-checkout", "token": result.order_id})
        return Checkout(
            token=result.order_id,
            approval_url=f"{self.redirect_url}{separator}{query}",
            result=result,
        )

    def complete_checkout(
        self, token: str, payer_id: str, amount: Decimal, currency: str, request_id: str
    ) -> GatewayResult:
        """``ACTION=G`` (is it approved, by whom) then ``ACTION=D`` with ``request_id``.
        **Moves money.** Before approval: declined (code 12), nothing collected."""
        details = self.client.read_answer(
            self.client.post(_details_fields(token), uuid.uuid4().hex), order_id=token
        )
        if not details.approved:
            return _paypal_wording(details)
        fields = {
            "TRXTYPE": "S",
            "TENDER": "P",
            "ACTION": "D",
            "TOKEN": token,
            "PAYERID": payer_id or details.raw.get("PAYERID", ""),
            "AMT": format_amount(amount),
            "CURRENCY": currency.upper(),
        }
        result = self.client.transact(fields, request_id, order_id=token)
        buyer = {k: details.raw[k] for k in ("EMAIL", "PAYERID", "PAYERSTATUS") if k in details.raw}
        return _paypal_wording(replace(result, order_id=token, raw=buyer | result.raw))

    def buyer_approved(self, token: str) -> bool:
        """``ACTION=G``: PayPal gives the buyer's details once they approved (RESULT 0), and
        refuses before approval or after they cancelled (RESULT 12)."""
        answer = self.client.post(_details_fields(token), uuid.uuid4().hex)
        return self.client.read_answer(answer).approved

    def lookup(self, token: str, request_id: str = "") -> GatewayResult:
        """Whether the checkout was collected: an inquiry by the ``request_id`` that
        ``complete_checkout`` used (Payflow cannot look a payment up by token alone)."""
        if not request_id:
            raise ValueError("Payflow looks a checkout up by its completion's request id")
        result = self.client.inquiry(request_id=request_id, tender="P")
        return _paypal_wording(replace(result, order_id=result.order_id or token))

    def refund(
        self, reference: str, amount: Decimal | None, currency: str, request_id: str
    ) -> GatewayResult:
        """Credit (``TENDER=P``) the PNREF of a collected checkout. **Moves money.**
        Payflow refunds in the original's currency; ``currency`` is not sent."""
        return self.client.credit(reference, amount, request_id, tender="P")


def _details_fields(token: str) -> dict[str, str]:
    """GetExpressCheckoutDetails (``ACTION=G``) of ``token``."""
    return {"TRXTYPE": "S", "TENDER": "P", "ACTION": "G", "TOKEN": token}


# PENDINGREASON values meaning the money has moved: anything else means "do not deliver yet".
_NOT_HELD = frozenset({"", "none", "completed"})
FRAUD_REVIEW = "fraud_review"  # the pending reason of a RESULT 126


def _held(result: GatewayResult, code: int) -> GatewayResult:
    """RESULT 126 (authorized, under fraud review) and an approved Express Checkout payment
    whose ``PENDINGREASON`` is not ``none``/``completed`` are pending, not approved: PayPal
    holds the money until it says otherwise (an inquiry tells)."""
    if code == 126:
        return replace(result, outcome=Outcome.PENDING, pending_reason=FRAUD_REVIEW)
    reason = result.raw.get("PENDINGREASON", "").strip().lower()
    if result.outcome is Outcome.APPROVED and reason not in _NOT_HELD:
        return replace(result, outcome=Outcome.PENDING, pending_reason=reason)
    return result


def _paypal_wording(result: GatewayResult) -> GatewayResult:
    if result.outcome is Outcome.DECLINED:
        return replace(result, message=str(_PAYPAL_DECLINED))
    return result

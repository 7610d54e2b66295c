"""Express Checkout through Payflow (``TENDER=P``); the buyer's page itself is in ``pages``.

Flow, as PayPal documents it:

``ACTION=S`` (``TRXTYPE`` S or A) with ``AMT``, ``RETURNURL``, ``CANCELURL`` (absolute
http(s) URLs; missing -> 7), optional ``CURRENCY`` and ``ORDERDESC``/``DESC``
    -> ``RESULT=0&TOKEN=EC-`` + 17 characters. No PNREF, no money.

``GET /cgi-bin/webscr?cmd=_express-checkout&token=TOKEN``
    A plain HTML page (no script) showing merchant, amount and the sandbox buyer, with two
    forms posting back to ``/cgi-bin/webscr``: **Pay now** (``decision=approve``) redirects
    (302) to ``RETURNURL?token=TOKEN&PayerID=SBXBUYER00001``; **Cancel and return**
    (``decision=cancel``) redirects to ``CANCELURL?token=TOKEN``. Approving twice redirects
    again; approving a cancelled checkout or cancelling a paid one -> 409 page; unknown
    token -> 404 page.

``ACTION=G`` with ``TOKEN``
    After approval: ``RESULT=0`` with ``EMAIL``, ``PAYERID``, ``PAYERSTATUS``,
    ``FIRSTNAME``, ``LASTNAME``, ``COUNTRYCODE``, ``AMT``, ``CURRENCY``, ``TOKEN``.
    Before approval, or after the buyer cancelled -> **RESULT 12** (declined: the buyer has
    not approved). Unknown token (or another vendor's) -> 7.

``ACTION=D`` with ``TOKEN``, ``PAYERID``, ``AMT``
    -> ``RESULT=0``, ``PNREF``, ``PPREF`` (17 characters), ``TOKEN``. Unapproved or cancelled
    -> 12; ``PAYERID`` not the approving buyer -> 7; ``AMT`` malformed or above the amount the
    buyer approved -> 4; currency other than the checkout's -> 6; the pilot amount triggers
    apply (``1012.00`` -> 12). A second D on a paid token (with a new request id) ->
    **RESULT 30** (duplicate transaction); the same request id replays the original answer.
    ``TRXTYPE=S`` moves money (ledger kind ``express_checkout``); ``TRXTYPE=A`` leaves an
    authorization to capture with ``TRXTYPE=D&TENDER=P&ORIGID=PNREF``.
    ``PENDINGREASON`` reads ``none``, unless the ``pending_reason`` switch applies: then it
    is that reason (``echeck``, ``multicurrency``…; ``PAYMENTTYPE=echeck`` for ``echeck``),
    the money has not moved (no ledger entry) and an inquiry reports ``PENDINGREASON`` until
    ``/_sandbox/payflow/transactions/{PNREF}/settle`` completes it (ledger kind
    ``express_checkout``; inquiry ``PENDINGREASON=completed``) or denies it (inquiry
    ``ORIGRESULT=12``, ``TRANSSTATE=1``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .payflow_call import Answer, Call, amount_and_currency, error, missing, txn_answer
from .payflow_rules import (
    amount_trigger_result,
    format_amount,
    message_for,
    parse_amount,
)
from .payflow_store import SANDBOX_BUYER, CheckoutToken, new_token, random_code


def _absolute_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _token_of(call: Call) -> CheckoutToken | None:
    checkout = call.tables.tokens.get(call.get("TOKEN"))
    if checkout is None or checkout.vendor_key != call.account.vendor_key:
        return None
    return checkout


def set_checkout(call: Call) -> Answer:
    if problem := missing(call, "AMT", "RETURNURL", "CANCELURL"):
        return problem
    priced = amount_and_currency(call)
    if isinstance(priced, dict):
        return priced
    amount, currency = priced
    urls = (call.get("RETURNURL"), call.get("CANCELURL"))
    if not all(_absolute_http_url(url) for url in urls):
        return error(7, "RETURNURL and CANCELURL must be absolute http(s) URLs")
    checkout = CheckoutToken(
        token=new_token(),
        vendor_key=call.account.vendor_key,
        vendor=call.account.vendor,
        partner=call.account.partner,
        trxtype=call.get("TRXTYPE"),
        amount=amount,
        currency=currency,
        return_url=call.get("RETURNURL"),
        cancel_url=call.get("CANCELURL"),
        description=call.get("ORDERDESC") or call.get("DESC"),
    )
    call.tables.tokens[checkout.token] = checkout
    return {
        "RESULT": "0",
        "RESPMSG": message_for(0),
        "TOKEN": checkout.token,
        "CORRELATIONID": random_code(13).lower(),
    }


def get_details(call: Call) -> Answer:
    if problem := missing(call, "TOKEN"):
        return problem
    checkout = _token_of(call)
    if checkout is None:
        return error(7, "unknown TOKEN")
    if checkout.status in ("created", "cancelled"):
        return error(12, "the buyer has not approved this checkout")
    return {
        "RESULT": "0",
        "RESPMSG": message_for(0),
        "TOKEN": checkout.token,
        **SANDBOX_BUYER,
        "COUNTRYCODE": "GB" if checkout.partner == "PayPalUK" else "US",
        "AMT": format_amount(checkout.amount),
        "CURRENCY": checkout.currency,
    }


def do_payment(call: Call) -> Answer:
    if problem := missing(call, "TOKEN", "PAYERID", "AMT"):
        return problem
    checkout = _token_of(call)
    if checkout is None:
        return error(7, "unknown TOKEN")
    amount = parse_amount(call.get("AMT"))
    if amount is None:
        return error(4)
    if amount > checkout.amount:
        return error(4, "AMT above the amount the buyer approved")
    currency = call.get("CURRENCY").upper() or checkout.currency
    if currency != checkout.currency:
        return error(6, "CURRENCY differs from the checkout's")
    if checkout.status == "paid":
        return error(30, "this checkout was already paid")
    if checkout.status != "approved":
        return error(12, "the buyer has not approved this checkout")
    if call.get("PAYERID") != checkout.payer_id:
        return error(7, "PAYERID is not the buyer who approved")
    result = amount_trigger_result(amount)
    trxtype = call.get("TRXTYPE")
    pending = call.behaviour.pending_reason if result == 0 else ""
    txn = call.record(
        trxtype,
        result,
        amount=amount,
        currency=currency,
        token=checkout.token,
        ppref=random_code(17) if result == 0 else "",
        pending=pending,
    )
    if result == 0:
        checkout.status = "paid"
        if trxtype == "S" and not pending:
            call.ledger("express_checkout", txn, amount)
    return txn_answer(
        txn,
        TOKEN=checkout.token,
        PAYMENTTYPE=("echeck" if pending == "echeck" else "instant") if result == 0 else "",
        PENDINGREASON=(pending or "none") if result == 0 else "",
        CORRELATIONID=random_code(13).lower(),
    )


def handle_action(call: Call) -> Answer:
    """Dispatch ``ACTION`` S/G/D of a ``TENDER=P`` request."""
    if call.get("TRXTYPE") not in ("S", "A"):
        return error(7, "ACTION needs TRXTYPE S or A")
    handler = {"S": set_checkout, "G": get_details, "D": do_payment}.get(call.get("ACTION").upper())
    if handler is None:
        return error(7, "ACTION must be S, G or D")
    return handler(call)


# --- the buyer's decisions (the page itself is in ``pages``) ------------------------------


def approve_checkout(checkout: CheckoutToken) -> bool:
    """The buyer pays (lock held); False when the checkout was cancelled."""
    if checkout.status == "cancelled":
        return False
    if checkout.status == "created":
        checkout.status = "approved"
        checkout.payer_id = SANDBOX_BUYER["PAYERID"]
    return True


def cancel_checkout(checkout: CheckoutToken) -> bool:
    """The buyer cancels (lock held); False when the checkout is already paid."""
    if checkout.status == "paid":
        return False
    checkout.status = "cancelled"
    return True

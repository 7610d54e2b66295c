"""Payflow Gateway (Payflow Pro / Website Payments Pro Payflow Edition) on the simulator.

Wire: ``POST /`` with a raw NVP body (see ``payflow_nvp``), ``Content-Type: text/namevalue``,
header ``X-VPS-REQUEST-ID`` (1-32 printable ASCII characters). Answers are NVP too and never
echo ``ACCT``, ``CVV2``, ``EXPDATE`` or ``PWD``.

Merchant accounts
    Requests authenticate with ``PARTNER``, ``VENDOR``, ``USER`` (defaults to the vendor) and
    ``PWD``. Built-in accounts (present after every reset):

    ========  ========  ========  ===============
    PARTNER   VENDOR    USER      PWD
    ========  ========  ========  ===============
    PayPal    acmedemo  acmedemo  pilot-pass-1
    PayPalUK  globexuk  globexuk  pilot-pass-uk-1
    ========  ========  ========  ===============

    More are registered with ``POST /_sandbox/payflow/accounts`` (``control``) and a JSON body
    ``{"partner": "PayPal", "vendor": "v", "user": "u", "password": "p"}`` (``user``
    defaults to the vendor; registering again replaces the password). ``GET`` on the same
    path lists them without passwords. ``/_sandbox/reset`` forgets registered accounts.
    Partner, vendor and user match case-insensitively, the password exactly.

Checks, in order
    1. ``X-VPS-REQUEST-ID`` missing or invalid, or a malformed body -> RESULT 7 (not stored).
    2. ``PARTNER`` other than PayPal/PayPalUK, or no account with that partner, vendor and
       user -> 26; wrong ``PWD`` -> 1 (25 is never used). Not stored either.
    3. A request id already answered for this vendor -> the stored answer plus
       ``DUPLICATE=1``; the new fields are ignored and nothing happens again.
    4. ``TRXTYPE`` missing -> 7, not S/A/D/C/V/I -> 3; ``TENDER`` missing -> 7, not C/P -> 2.
    5. The transaction itself (``payflow_rules`` for cards and amounts). Every answer from
       here on is stored under the request id.

Transactions
    ``S``/``A`` (TENDER=C): ``ACCT``, ``EXPDATE``, ``AMT`` required (7). ``D`` capture: an
    approved, uncaptured, unvoided authorization (``ORIGID``; none -> 7, unknown -> 19,
    captured twice -> 111, a sale or voided authorization -> 111, ``AMT`` above the
    authorization -> 111). ``V`` void: only an uncaptured authorization (captured or voided
    already, or not an authorization -> 108). ``C`` credit: referenced only (``ORIGID``) on an
    approved sale, capture or Express Checkout payment; ``AMT`` defaults to the remaining
    balance, more than that remains -> 105. Each of these answers gets a PNREF and is kept as
    a transaction, approved or not. Money-moving successes append to ``state.ledger``
    (kinds ``sale``, ``capture``, ``credit``, ``express_checkout``).

Inquiry (``TRXTYPE=I``)
    By ``ORIGID`` (a PNREF) or by ``CUSTREF`` (the latest transaction of this vendor that
    carried it, as PayPal documents; ``CUSTREF`` is up to 12 alphanumerics). This is how a
    client finds a request whose answer it never received: it sends a ``CUSTREF`` derived from
    its request id with every transaction and inquires by it. Answer: ``RESULT=0`` (the
    inquiry worked) with the original's ``ORIGRESULT``, ``ORIGPNREF``/``PNREF``,
    ``ORIGRESPMSG``, ``TRXTYPE``, ``AMT``, ``CURRENCY``, ``TRANSSTATE`` (see
    ``Transaction.transstate``) and ``PPREF``/``TOKEN`` for PayPal tender. Not found -> 19.

Fraud review
    With the ``fraud_review`` switch, an approvable card sale or authorization answers
    RESULT 126 (``Under review by fraud service``, with ``AUTHCODE``) and moves no money;
    inquiries report ``ORIGRESULT=126`` until ``POST /_sandbox/payflow/transactions/{PNREF}/
    settle`` ``{"outcome": "accepted"}`` (-> 0, a sale reaches the ledger) or ``"rejected"``
    (-> 125, ``TRANSSTATE=1``). The same route settles a pending Express Checkout payment.

Express Checkout (``TENDER=P`` with ``ACTION``): see ``payflow_checkout``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import payflow_checkout
from .payflow_call import Answer, Call, amount_and_currency, error, missing, txn_answer
from .payflow_nvp import NVPFormatError, encode_nvp, parse_nvp
from .payflow_rules import (
    amount_trigger_result,
    avs_answer,
    card_number_result,
    cvv2_match,
    expiry_result,
    format_amount,
    message_for,
    parse_amount,
)
from .payflow_store import (
    PARTNERS,
    Account,
    PayflowTables,
    Transaction,
    account_key,
    random_code,
    tables,
)
from .state import SandboxState, behaviour_of

_REQUEST_ID = re.compile(r"^[\x20-\x7e]{1,32}$")
_CUSTREF = re.compile(r"^[A-Za-z0-9]{1,12}$")
TRXTYPES = frozenset("SADCVI")
TENDERS = frozenset("CP")

# --- card transactions -----------------------------------------------------------------


def sale_or_authorization(call: Call) -> Answer:
    """``S``/``A`` with TENDER=C: card rules, then the pilot amount triggers."""
    if problem := missing(call, "ACCT", "EXPDATE", "AMT"):
        return problem
    priced = amount_and_currency(call)
    if isinstance(priced, dict):
        return priced
    amount, currency = priced
    result = card_number_result(call.get("ACCT")) or expiry_result(call.get("EXPDATE"))
    if not result:
        result = amount_trigger_result(amount)
    review = result == 0 and call.behaviour.fraud_review
    trxtype = call.get("TRXTYPE")
    txn = call.record(
        trxtype,
        126 if review else result,
        amount=amount,
        currency=currency,
        authcode=random_code(6) if result == 0 else "",
        pending="fraud_review" if review else "",
    )
    if txn.result == 0 and trxtype == "S":
        call.ledger("sale", txn, amount)
    cvv2 = call.get("CVV2")
    avs_street, avs_zip_code = avs_answer(call.get("BILLTOSTREET"), call.get("BILLTOZIP"))
    return txn_answer(
        txn,
        AVSADDR=avs_street,
        AVSZIP=avs_zip_code,
        CVV2MATCH=cvv2_match(cvv2) if cvv2 else "",
    )


def original(call: Call) -> tuple[Transaction | None, Answer | None]:
    if problem := missing(call, "ORIGID"):
        return None, problem
    txn = call.tables.find_transaction(call.account.vendor_key, call.get("ORIGID"))
    return (txn, None) if txn else (None, error(19))


def capture(call: Call) -> Answer:
    """``D``: capture an approved authorization once, up to its amount."""
    auth, problem = original(call)
    if problem:
        return problem
    amount = auth.amount
    if call.get("AMT"):
        amount = parse_amount(call.get("AMT"))
        if amount is None:
            return error(4)
    if auth.trxtype != "A" or auth.result != 0:
        result, detail = 111, "ORIGID is not an approved authorization"
    elif auth.captured:
        result, detail = 111, "authorization already captured"
    elif auth.voided:
        result, detail = 111, "authorization was voided"
    elif amount > auth.amount:
        result, detail = 111, "amount above the authorized amount"
    else:
        result, detail = 0, ""
    txn = call.record(
        "D",
        result,
        detail,
        amount=amount,
        currency=auth.currency,
        orig_pnref=auth.pnref,
        authcode=auth.authcode,
        ppref=random_code(17) if result == 0 and auth.tender == "P" else "",
        token=auth.token,
    )
    if result == 0:
        auth.captured = True
        call.ledger("capture", txn, amount)
    return txn_answer(txn)


def void(call: Call) -> Answer:
    """``V``: cancel an uncaptured authorization."""
    auth, problem = original(call)
    if problem:
        return problem
    if auth.trxtype != "A" or auth.result != 0:
        result, detail = 108, "only an approved authorization can be voided"
    elif auth.captured:
        result, detail = 108, "authorization already captured"
    elif auth.voided:
        result, detail = 108, "authorization already voided"
    else:
        result, detail = 0, ""
    txn = call.record("V", result, detail, currency=auth.currency, orig_pnref=auth.pnref)
    if result == 0:
        auth.voided = True
    return txn_answer(txn)


def credit(call: Call) -> Answer:
    """``C``: refund an approved sale, capture or EC payment, in full or in part."""
    if not call.get("ORIGID"):
        return error(7, "ORIGID required (non-referenced credits are not enabled)")
    paid, problem = original(call)
    if problem:
        return problem
    remaining = (paid.amount or Decimal("0.00")) - paid.refunded
    amount = remaining
    if call.get("AMT"):
        amount = parse_amount(call.get("AMT"))
        if amount is None:
            return error(4)
    if paid.trxtype not in ("S", "D") or paid.result != 0:
        result, detail = 105, "ORIGID is not an approved payment"
    elif amount <= 0 or amount > remaining:
        result, detail = 105, f"amount above the refundable {format_amount(remaining)}"
    else:
        result, detail = 0, ""
    txn = call.record(
        "C", result, detail, amount=amount, currency=paid.currency, orig_pnref=paid.pnref
    )
    if result == 0:
        paid.refunded += amount
        call.ledger("credit", txn, amount)
    return txn_answer(txn)


def inquiry(call: Call) -> Answer:
    """``I``: report an earlier transaction found by ``ORIGID`` or ``CUSTREF``."""
    vendor = call.account.vendor_key
    if call.get("ORIGID"):
        txn = call.tables.find_transaction(vendor, call.get("ORIGID"))
    elif call.get("CUSTREF"):
        pnref = call.tables.custrefs.get((vendor, call.get("CUSTREF").upper()), "")
        txn = call.tables.find_transaction(vendor, pnref)
    else:
        return error(7, "ORIGID or CUSTREF required")
    if txn is None:
        return error(19)
    answer = {
        "RESULT": "0",
        "PNREF": txn.pnref,
        "RESPMSG": message_for(0),
        "ORIGRESULT": str(txn.result),
        "ORIGPNREF": txn.pnref,
        "ORIGRESPMSG": txn.respmsg,
        "TRXTYPE": txn.trxtype,
        "TENDER": txn.tender,
        "TRANSSTATE": str(txn.transstate),
        "AMT": format_amount(txn.amount) if txn.amount is not None else "",
        "CURRENCY": txn.currency,
        "AUTHCODE": txn.authcode,
        "PPREF": txn.ppref,
        "TOKEN": txn.token,
        "CUSTREF": txn.custref,
        "TRANSTIME": txn.transtime,
    }
    if txn.tender == "P" and (txn.pending or txn.was_pending) and txn.result == 0:
        answer["PENDINGREASON"] = txn.pending or "completed"
    return {name: value for name, value in answer.items() if value}


# --- the endpoint ----------------------------------------------------------------------


def authenticate(table: PayflowTables, fields: dict[str, str]) -> Account | Answer:
    partner = fields.get("PARTNER", "").strip()
    vendor = fields.get("VENDOR", "").strip()
    user = fields.get("USER", "").strip() or vendor
    if partner.lower() not in {p.lower() for p in PARTNERS} or not vendor:
        return error(26, "unknown PARTNER or VENDOR")
    account = table.accounts.get(account_key(partner, vendor, user))
    if account is None:
        return error(26)
    if fields.get("PWD", "") != account.password:
        return error(1)
    return account


def dispatch(call: Call) -> Answer:
    trxtype, tender = call.get("TRXTYPE").upper(), call.get("TENDER").upper()
    if not trxtype:
        return error(7, "missing TRXTYPE")
    if len(trxtype) != 1 or trxtype not in TRXTYPES:
        return error(3)
    if not tender:
        return error(7, "missing TENDER")
    if len(tender) != 1 or tender not in TENDERS:
        return error(2)
    call.fields["TRXTYPE"], call.fields["TENDER"] = trxtype, tender
    custref = call.get("CUSTREF")
    if custref and not _CUSTREF.match(custref):
        return error(7, "CUSTREF must be 1-12 alphanumerics")
    if trxtype == "I":
        return inquiry(call)
    if tender == "P" and call.get("ACTION"):
        return payflow_checkout.handle_action(call)
    handlers: dict[str, Callable[[Call], Answer]] = {
        "S": sale_or_authorization,
        "A": sale_or_authorization,
        "D": capture,
        "C": credit,
        "V": void,
    }
    if tender == "P" and trxtype in "SA":
        return error(7, "ACTION (S, G or D) required with TENDER=P")
    return handlers[trxtype](call)


def nvp_response(answer: Answer) -> Response:
    return Response(encode_nvp(answer), content_type="text/namevalue")


def transaction_endpoint(state: SandboxState):
    def handle(request: Request) -> Response:
        request_id = request.headers.get("X-VPS-REQUEST-ID", "")
        if not _REQUEST_ID.match(request_id):
            return nvp_response(error(7, "X-VPS-REQUEST-ID missing or invalid"))
        try:
            fields = parse_nvp(request.get_data())
        except NVPFormatError as exc:
            return nvp_response(error(7, str(exc)))
        with state.lock:
            table = tables(state)
            account = authenticate(table, fields)
            if not isinstance(account, Account):
                return nvp_response(account)
            key = (account.vendor_key, request_id)
            stored = table.answers.get(key)
            if stored is not None:
                return nvp_response({**stored, "DUPLICATE": "1"})
            call = Call(state, table, account, fields, request_id, behaviour_of(request))
            answer = dispatch(call)
            table.answers[key] = answer
        return nvp_response(answer)

    return handle


def routes(state: SandboxState) -> list[Rule]:
    """``POST /``: every Payflow transaction (its control routes are in ``control``)."""
    return [Rule("/", endpoint=transaction_endpoint(state), methods=["POST"])]

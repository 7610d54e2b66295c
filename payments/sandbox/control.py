"""Control routes under ``/_sandbox/``: what tests use to look at and steer the simulator.

They are never subject to faults, take and answer JSON, and need no credentials (the
simulator must therefore never be reachable from outside the host). Each answers 404 with
``{"error": …}`` when what it names does not exist or cannot take the change.

=============================================  ============================================
``GET /_sandbox/ledger``                       every money movement, oldest first
``GET|POST /_sandbox/faults``                  the switches of ``state.Faults`` (POST
                                               replaces them all; absent keys are off)
``POST /_sandbox/reset``                       forget everything (tables, ledger, switches,
                                               clock, webhook listener)
``GET|POST /_sandbox/clock``                   ``{"advance_seconds": n}`` moves the clock
                                               forward, ``{"offset_seconds": n}`` sets it
``POST /_sandbox/orders/{id}/approve``         the buyer approves on PayPal and never comes
                                               back (``APPROVED``, CHECKOUT.ORDER.APPROVED)
``POST /_sandbox/captures/{id}/settle``        ``{"outcome": "completed"|"denied"}`` for a
                                               PENDING capture (PAYMENT.CAPTURE.COMPLETED /
                                               .DENIED)
``POST /_sandbox/captures/{id}/reverse``       a chargeback (PAYMENT.CAPTURE.REVERSED)
``GET|POST /_sandbox/merchants``               the merchant directory; POST ``{"email",
                                               "merchant_id"}`` registers one
``POST /_sandbox/merchants/{id}/revoke``       the merchant revokes the partner's consent
                                               (MERCHANT.PARTNER-CONSENT.REVOKED)
``GET|POST /_sandbox/payflow/accounts``        Payflow merchant accounts (see ``payflow``)
``POST /_sandbox/payflow/transactions/{pnref}  ``{"outcome": "accepted"|"rejected"}`` for a
/settle``                                      transaction under fraud review or pending
=============================================  ============================================

The webhook listener's routes, ``/_sandbox/webhooks…``, are in ``webhooks``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import merchants, webhooks
from .payflow_store import PARTNERS, Account, settle, tables
from .rest_common import base_url
from .rest_order_views import CAPTURES
from .rest_orders import approve_order, find_order, settle_capture
from .rest_payments import reverse_capture
from .rest_referrals import REFERRALS, merchant_resource
from .state import Faults, SandboxState


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _missing(what: str) -> Response:
    return _json({"error": what}, 404)


def _data(request: Request) -> dict:
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}


def _locked(state: SandboxState, handler: Callable[..., Response]) -> Callable[..., Response]:
    def endpoint(request: Request, **values) -> Response:
        with state.lock:
            return handler(request, **values)

    return endpoint


def _general(state: SandboxState) -> list[Rule]:
    def ledger(request: Request) -> Response:
        return _json(state.ledger)

    def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                state.faults = Faults.from_json(_data(request))
            except (TypeError, ValueError) as exc:
                return _json({"error": str(exc)}, 400)
        return _json(state.faults.public())

    def reset(request: Request) -> Response:
        state.reset()
        return _json({})

    def clock(request: Request) -> Response:
        data = _data(request)
        try:
            if "offset_seconds" in data:
                state.clock_offset = float(data["offset_seconds"])
            state.clock_offset += float(data.get("advance_seconds", 0))
        except (TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        now = datetime.fromtimestamp(state.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return _json({"offset_seconds": state.clock_offset, "now": now})

    return [
        Rule("/_sandbox/ledger", endpoint=_locked(state, ledger), methods=["GET"]),
        Rule("/_sandbox/faults", endpoint=_locked(state, faults), methods=["GET", "POST"]),
        Rule("/_sandbox/reset", endpoint=reset, methods=["POST"]),
        Rule("/_sandbox/clock", endpoint=_locked(state, clock), methods=["GET", "POST"]),
    ]


def _paypal(state: SandboxState) -> list[Rule]:
    def approve(request: Request, order_id: str) -> Response:
        order = find_order(state, order_id)
        if order is None or not approve_order(state, order, base_url(request)):
            return _missing("no order with this id that can be approved")
        return _json({"id": order["id"], "status": order["status"]})

    def settle(request: Request, capture_id: str) -> Response:
        capture = state.table(CAPTURES).get(capture_id)
        outcome = _data(request).get("outcome")
        if capture is None or capture["status"] != "PENDING":
            return _missing("no PENDING capture with this id")
        if outcome not in ("completed", "denied"):
            return _json({"error": "outcome must be completed or denied"}, 400)
        settle_capture(state, capture, outcome == "completed", base_url(request))
        return _json({"id": capture_id, "status": capture["status"]})

    def reverse(request: Request, capture_id: str) -> Response:
        capture = state.table(CAPTURES).get(capture_id)
        reversal = reverse_capture(state, capture, base_url(request)) if capture else None
        if reversal is None:
            return _missing("no completed capture with this id left to reverse")
        return _json({"id": reversal["id"], "amount": reversal["amount"]})

    def directory(request: Request) -> Response:
        if request.method == "POST":
            data = _data(request)
            email, merchant_id = str(data.get("email", "")), str(data.get("merchant_id", ""))
            if "@" not in email or not merchants.valid_merchant_id(merchant_id):
                return _json({"error": "email and a 13-character merchant_id required"}, 400)
            merchants.register(state, email, merchant_id)
        return _json(merchants.listing(state))

    def revoke(request: Request, merchant_id: str) -> Response:
        if merchants.revoke(state, merchant_id) is None:
            return _missing("no registered merchant with this id")
        base = base_url(request)
        referral = next(
            (r for r in state.table(REFERRALS).values()
             if r["merchant_id_in_paypal"] == merchant_id),
            None,
        )  # fmt: skip
        resource = merchant_resource(referral, base) if referral else {"merchant_id": merchant_id}
        webhooks.emit(
            state,
            "MERCHANT.PARTNER-CONSENT.REVOKED",
            resource,
            resource_type="merchant-onboarding",
            resource_version="1.0",
            summary="The Account setup consents has been revoked or the merchant account is closed",
            base=base,
        )
        return _json({"merchant_id": merchant_id, "revoked": True})

    routes = [
        ("/_sandbox/orders/<order_id>/approve", approve, ["POST"]),
        ("/_sandbox/captures/<capture_id>/settle", settle, ["POST"]),
        ("/_sandbox/captures/<capture_id>/reverse", reverse, ["POST"]),
        ("/_sandbox/merchants", directory, ["GET", "POST"]),
        ("/_sandbox/merchants/<merchant_id>/revoke", revoke, ["POST"]),
    ]
    return [Rule(path, endpoint=_locked(state, fn), methods=m) for path, fn, m in routes]


def _payflow(state: SandboxState) -> list[Rule]:
    def accounts(request: Request) -> Response:
        table = tables(state)
        if request.method == "POST":
            data = _data(request)
            partner = str(data.get("partner", ""))
            vendor = str(data.get("vendor", "")).strip()
            password = str(data.get("password", ""))
            user = str(data.get("user") or vendor).strip()
            canonical = {p.lower(): p for p in PARTNERS}.get(partner.lower())
            if not canonical or not vendor or not password:
                return _json(
                    {"error": "partner (PayPal or PayPalUK), vendor and password required"}, 400
                )
            account = Account(canonical, vendor, user, password)
            table.register(account)
            return _json(account.public(), 201)
        return _json([account.public() for account in table.accounts.values()])

    def settle_held(request: Request, pnref: str) -> Response:
        outcome = _data(request).get("outcome")
        table = tables(state)
        txn = table.transactions.get(pnref.upper())
        if txn is None or not txn.pending:
            return _missing("no held transaction with this PNREF")
        if outcome not in ("accepted", "rejected"):
            return _json({"error": "outcome must be accepted or rejected"}, 400)
        vendor = next(a.vendor for a in table.accounts.values() if a.vendor_key == txn.vendor_key)
        settle(state, txn, outcome == "accepted", vendor)
        return _json({"pnref": txn.pnref, "result": txn.result})

    return [
        Rule(
            "/_sandbox/payflow/accounts",
            endpoint=_locked(state, accounts),
            methods=["GET", "POST"],
        ),
        Rule(
            "/_sandbox/payflow/transactions/<pnref>/settle",
            endpoint=_locked(state, settle_held),
            methods=["POST"],
        ),
    ]


def routes(state: SandboxState) -> list[Rule]:
    return [*_general(state), *_paypal(state), *_payflow(state)]

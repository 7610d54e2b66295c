"""Orders v2: create, get, capture; and the order and capture transitions other parts share.

Flow: ``POST /v2/checkout/orders`` -> ``CREATED`` with an ``approve`` link to
``/checkoutnow?token={id}`` (the buyer pages, ``pages``); approval -> ``APPROVED``;
``POST /v2/checkout/orders/{id}/capture`` -> ``COMPLETED`` with one capture per purchase unit.
An order created with ``payment_source.paypal`` answers ``PAYER_ACTION_REQUIRED`` with a
``payer-action`` link instead, as PayPal does.

A capture is ``COMPLETED`` (ledger kind ``capture``, webhook ``PAYMENT.CAPTURE.COMPLETED``)
unless the ``capture_pending_reason`` switch applies: then it is ``PENDING`` with that
``status_details.reason`` (webhook ``PAYMENT.CAPTURE.PENDING``; no money has moved, no ledger
entry) until ``settle_capture`` completes it (ledger, ``.COMPLETED``) or denies it
(``DECLINED``, ``.DENIED``). The order itself is ``COMPLETED`` either way, as at PayPal.
``approve_order`` is the buyer's approval (from the page or the control route); it sends
``CHECKOUT.ORDER.APPROVED``.

``PayPal-Mock-Response`` codes: create ``PAYEE_ACCOUNT_RESTRICTED``,
``PAYEE_ACCOUNT_LOCKED_OR_CLOSED``, ``INTERNAL_SERVER_ERROR``; get ``INTERNAL_SERVER_ERROR``;
capture ``INSTRUMENT_DECLINED``, ``TRANSACTION_REFUSED``, ``PAYER_ACCOUNT_RESTRICTED``,
``PAYER_CANNOT_PAY``, ``PAYER_ACCOUNT_LOCKED_OR_CLOSED``,
``MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED``, ``REDIRECT_PAYER_FOR_ALTERNATE_FUNDING``,
``TRANSACTION_LIMIT_EXCEEDED``, ``PERMISSION_DENIED`` (403), ``INTERNAL_SERVER_ERROR`` (500).
"""

from __future__ import annotations

import re
from decimal import Decimal

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import merchants, webhooks
from .rest_common import (
    Idempotency,
    api,
    base_url,
    new_account_id,
    new_id,
    now_iso,
    wants_representation,
)
from .rest_errors import (
    INVALID_RESOURCE_ID,
    ApiError,
    issue,
    json_body,
    json_response,
    mock_code,
    mock_error,
)
from .rest_money import money
from .rest_order_request import (
    CAPTURE_MALFORMED,
    CAPTURE_MOCKS,
    CREATE_400,
    CREATE_MOCKS,
    GET_MOCKS,
    ORDER_ALREADY_CAPTURED,
    ORDER_NOT_APPROVED,
    validate_order_request,
)
from .rest_order_views import (
    BUYER,
    CAPTURES,
    ORDERS,
    capture_result_view,
    order_view,
    payments_capture_view,
)
from .state import SandboxState, behaviour_of

ORDER_ID = re.compile(r"[A-Z0-9]{1,36}")
APPROVABLE = ("CREATED", "PAYER_ACTION_REQUIRED")


def _fee(amount: Decimal, currency: str) -> Decimal:
    fixed = Decimal("49") if currency in ("HUF", "JPY", "TWD") else Decimal("0.49")
    return min(amount, (amount * Decimal("0.0349") + fixed))


def find_order(state: SandboxState, order_id: str) -> dict | None:
    return state.table(ORDERS).get(order_id) if ORDER_ID.fullmatch(order_id or "") else None


def approve_order(state: SandboxState, order: dict, base: str) -> bool:
    """The buyer approves ``order`` (lock held); False when it can no longer be approved."""
    if order["status"] == "APPROVED":
        return True
    if order["status"] not in APPROVABLE:
        return False
    order["payer"] = {**BUYER, "payer_id": new_account_id()}
    order["status"] = "APPROVED"
    order["update_time"] = now_iso()
    webhooks.emit(
        state,
        "CHECKOUT.ORDER.APPROVED",
        order_view(state, order, base),
        resource_type="checkout-order",
        summary="An order has been approved by buyer",
        base=base,
    )
    return True


def _capture_event(state: SandboxState, capture: dict, base: str) -> None:
    status = capture["status"]
    event_type, summary = {
        "COMPLETED": ("PAYMENT.CAPTURE.COMPLETED", "Payment completed"),
        "PENDING": ("PAYMENT.CAPTURE.PENDING", "Payment pending"),
        "DECLINED": ("PAYMENT.CAPTURE.DENIED", "Payment denied"),
    }[status]
    amount = capture["amount"]
    webhooks.emit(
        state,
        event_type,
        payments_capture_view(state, capture, base),
        resource_type="capture",
        summary=f"{summary} for {amount['value']} {amount['currency_code']}",
        base=base,
    )


def _ledger_capture(state: SandboxState, capture: dict) -> None:
    state.ledger.append(
        {
            "protocol": "rest",
            "kind": "capture",
            "id": capture["id"],
            "order_id": capture["order_id"],
            "amount": capture["amount"]["value"],
            "currency": capture["amount"]["currency_code"],
            "request_id": capture["request_id"],
            "payee": capture["payee"],
        }
    )


def settle_capture(state: SandboxState, capture: dict, completed: bool, base: str) -> None:
    """PayPal's later word on a PENDING capture (lock held): completed, or denied."""
    capture["status"] = "COMPLETED" if completed else "DECLINED"
    if completed:
        capture.pop("reason", None)
        _ledger_capture(state, capture)
    capture["update_time"] = now_iso()
    _capture_event(state, capture, base)


def _capture_units(state: SandboxState, order: dict, request: Request) -> None:
    now = now_iso()
    pending_reason = behaviour_of(request).capture_pending_reason
    base = base_url(request)
    for unit in order["purchase_units"]:
        amount = Decimal(unit["amount"]["value"])
        currency = unit["amount"]["currency_code"]
        fee = _fee(amount, currency)
        capture = {
            "id": new_id(17),
            "order_id": order["id"],
            "status": "PENDING" if pending_reason else "COMPLETED",
            "amount": money(amount, currency),
            "breakdown": {
                "gross_amount": money(amount, currency),
                "paypal_fee": money(fee, currency),
                "net_amount": money(amount - fee, currency),
            },
            "refunded": "0",
            "refund_ids": [],
            "payee": unit["payee"]["email_address"],
            "request_id": request.headers.get("PayPal-Request-Id", ""),
            "create_time": now,
            "update_time": now,
        }
        if pending_reason:
            capture["reason"] = pending_reason
        state.table(CAPTURES)[capture["id"]] = capture
        unit["capture_ids"] = [capture["id"]]
        if not pending_reason:
            _ledger_capture(state, capture)
        _capture_event(state, capture, base)
    order["status"] = "COMPLETED"
    order["update_time"] = now


def routes(state: SandboxState) -> list[Rule]:
    idempotency = Idempotency(state)

    @api(state)
    def create_order(request: Request) -> Response:
        replay = idempotency.replay(request)
        if replay is not None:
            return json_response(replay[1], 200)
        code = mock_code(request)
        if code:
            raise mock_error(code, CREATE_MOCKS, "orders")
        data = json_body(request, required=True, description=CREATE_400["MALFORMED_REQUEST_JSON"])
        intent, units, experience, payer_action = validate_order_request(data)
        for unit in units:
            payee = unit["payee"]
            if payee["merchant_id"]:
                merchants.register(state, payee["email_address"], payee["merchant_id"])
            else:
                payee["merchant_id"] = merchants.merchant_id_for(state, payee["email_address"])
        created = now_iso()
        order = {
            "id": new_id(17),
            "intent": intent,
            "status": "PAYER_ACTION_REQUIRED" if payer_action else "CREATED",
            "purchase_units": units,
            "return_url": experience.get("return_url", ""),
            "cancel_url": experience.get("cancel_url", ""),
            "brand_name": experience.get("brand_name", ""),
            "payer": None,
            "create_time": created,
            "update_time": created,
            "request_id": request.headers.get("PayPal-Request-Id", ""),
        }
        state.table(ORDERS)[order["id"]] = order
        body = order_view(state, order, base_url(request), full=wants_representation(request))
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    def _find(order_id: str) -> dict:
        order = find_order(state, order_id)
        if order is None:
            raise ApiError(
                404,
                [
                    issue(
                        "INVALID_RESOURCE_ID",
                        INVALID_RESOURCE_ID,
                        field="order_id",
                        value=order_id,
                        location="path",
                    )
                ],
            )
        return order

    @api(state)
    def get_order(request: Request, order_id: str) -> Response:
        code = mock_code(request)
        if code:
            raise mock_error(code, GET_MOCKS, "orders")
        order = _find(order_id)
        return json_response(order_view(state, order, base_url(request)))

    @api(state)
    def capture_order(request: Request, order_id: str) -> Response:
        replay = idempotency.replay(request)
        if replay is not None:
            return json_response(replay[1], 200)
        order = _find(order_id)
        json_body(request, required=False, description=CAPTURE_MALFORMED)
        code = mock_code(request)
        if code:
            raise mock_error(code, CAPTURE_MOCKS, "orders")
        if order["status"] == "COMPLETED":
            raise ApiError(422, [issue("ORDER_ALREADY_CAPTURED", ORDER_ALREADY_CAPTURED)])
        if order["status"] != "APPROVED":
            raise ApiError(422, [issue("ORDER_NOT_APPROVED", ORDER_NOT_APPROVED)])
        _capture_units(state, order, request)
        base = base_url(request)
        if wants_representation(request):
            body = order_view(state, order, base)
        else:
            body = capture_result_view(state, order, base)
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    return [
        Rule("/v2/checkout/orders", endpoint=create_order, methods=["POST"]),
        Rule("/v2/checkout/orders/<order_id>", endpoint=get_order, methods=["GET"]),
        Rule("/v2/checkout/orders/<order_id>/capture", endpoint=capture_order, methods=["POST"]),
    ]

"""Payments v2: show a capture, refund it in full or in part, show a refund.

A refund without ``amount`` refunds what is left of the capture; one with ``amount`` refunds
that much, never more than is left (``REFUND_AMOUNT_EXCEEDED``), in the capture's currency
(``REFUND_CAPTURE_CURRENCY_MISMATCH``); a fully refunded capture answers
``CAPTURE_FULLY_REFUNDED``. Idempotent by ``PayPal-Request-Id`` (the replay answers 201 with
the first body, as the document lists no 200 for this call).

``PayPal-Mock-Response`` codes on refund: ``REFUND_FAILED_INSUFFICIENT_FUNDS``,
``REFUND_NOT_ALLOWED``, ``PAYEE_ACCOUNT_RESTRICTED``, ``INTERNAL_SERVER_ERROR``; on the GETs:
``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .rest_common import (
    INVALID_RESOURCE_ID,
    ApiError,
    Idempotency,
    api,
    base_url,
    issue,
    json_body,
    json_response,
    mock_code,
    mock_error,
    money,
    new_id,
    now_iso,
    parse_money,
    wants_representation,
)
from .rest_orders import CAPTURES, ORDERS, capture_view
from .state import SandboxState

REFUNDS = "rest_refunds"

# Wording from schemas captures.refund-400/422 (several issues there carry no fixed text).
REFUND_DESCRIPTIONS = {
    "MISSING_REQUIRED_PARAMETER": "A required field / parameter is missing.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "INVALID_STRING_LENGTH": "The value of a field is either too short or too long.",
    "INVALID_CURRENCY_CODE": "Currency code is invalid or is not currently supported.",
    "CANNOT_BE_ZERO_OR_NEGATIVE": "Must be greater than zero.",
    "DECIMAL_PRECISION": "If the currency supports decimals, only two decimal place precision is "
    "supported.",
    "CAPTURE_FULLY_REFUNDED": "The capture has already been fully refunded",
    "REFUND_CAPTURE_CURRENCY_MISMATCH": "Refund must be in the same currency as the capture",
    "REFUND_AMOUNT_EXCEEDED": "The refund amount must be less than or equal to the capture amount "
    "that has not yet been refunded.",
}
REFUND_MOCKS: dict[str, tuple[int, str | None]] = {
    "REFUND_FAILED_INSUFFICIENT_FUNDS": (
        422,
        "Capture could not be refunded due to insufficient funds. Please check to see if you "
        "have sufficient funds in your PayPal account or if the bank account linked to your "
        "PayPal account is verified and has sufficient funds.",
    ),
    "REFUND_NOT_ALLOWED": (422, "Capture cannot be refunded."),
    "PAYEE_ACCOUNT_RESTRICTED": (422, "Payee account is restricted."),
    "INTERNAL_SERVER_ERROR": (500, None),
}
GET_MOCKS: dict[str, tuple[int, str | None]] = {"INTERNAL_SERVER_ERROR": (500, None)}
_ID = re.compile(r"[A-Z0-9]{1,36}")
_TEXT_FIELDS = {"invoice_id": 127, "custom_id": 127, "note_to_payer": 255}


def _not_found(value: str, field: str) -> ApiError:
    return ApiError(
        404,
        [
            issue(
                "INVALID_RESOURCE_ID",
                INVALID_RESOURCE_ID,
                field=field,
                value=value,
                location="path",
            )
        ],
        api="payments",
    )


def _refund_error(status: int, name: str, field: str | None = None, value=None) -> ApiError:
    return ApiError(
        status, [issue(name, REFUND_DESCRIPTIONS[name], field=field, value=value)], api="payments"
    )


def refund_view(refund: dict, base: str, *, full: bool = True) -> dict:
    rid = refund["id"]
    links = [
        {"href": f"{base}/v2/payments/refunds/{rid}", "rel": "self", "method": "GET"},
        {
            "href": f"{base}/v2/payments/captures/{refund['capture_id']}",
            "rel": "up",
            "method": "GET",
        },
    ]
    if not full:
        return {"id": rid, "status": refund["status"], "links": links}
    view = {
        "id": rid,
        "amount": refund["amount"],
        "seller_payable_breakdown": {
            "gross_amount": refund["amount"],
            "paypal_fee": money(Decimal(0), refund["amount"]["currency_code"]),
            "net_amount": refund["amount"],
            "total_refunded_amount": refund["total_refunded"],
        },
        "status": refund["status"],
        "create_time": refund["create_time"],
        "update_time": refund["update_time"],
        "links": links,
    }
    for key in _TEXT_FIELDS:
        if refund.get(key):
            view[key] = refund[key]
    return view


def routes(state: SandboxState) -> list[Rule]:
    idempotency = Idempotency(state)
    table = state.table

    def _capture(capture_id: str) -> dict:
        capture = table(CAPTURES).get(capture_id) if _ID.fullmatch(capture_id) else None
        if capture is None:
            raise _not_found(capture_id, "capture_id")
        return capture

    @api(state, api_name="payments")
    def get_capture(request: Request, capture_id: str) -> Response:
        code = mock_code(request)
        if code:
            raise mock_error(code, GET_MOCKS, "payments")
        capture = _capture(capture_id)
        view = capture_view(capture, base_url(request))
        view["supplementary_data"] = {"related_ids": {"order_id": capture["order_id"]}}
        order = table(ORDERS).get(capture["order_id"])
        if order is not None:
            merchant = next(
                (
                    u["payee"]
                    for u in order["purchase_units"]
                    if capture_id in u.get("capture_ids", [])
                ),
                None,
            )
            if merchant:
                view["payee"] = merchant
        return json_response(view)

    @api(state, api_name="payments")
    def refund_capture(request: Request, capture_id: str) -> Response:
        replay = idempotency.replay(request)
        if replay is not None:
            return json_response(replay[1], replay[0])
        capture = _capture(capture_id)
        data = json_body(
            request,
            required=False,
            description=REFUND_DESCRIPTIONS["INVALID_PARAMETER_SYNTAX"],
            issue_name="INVALID_PARAMETER_SYNTAX",
            api_name="payments",
        )
        code = mock_code(request)
        if code:
            raise mock_error(code, REFUND_MOCKS, "payments")
        captured = Decimal(capture["amount"]["value"])
        currency = capture["amount"]["currency_code"]
        refunded = Decimal(capture["refunded"])
        left = captured - refunded
        if left <= 0:
            raise _refund_error(422, "CAPTURE_FULLY_REFUNDED")
        if "amount" in data:
            amount, refund_currency = parse_money(
                data["amount"], "/amount", REFUND_DESCRIPTIONS, api_name="payments"
            )
            if refund_currency != currency:
                raise _refund_error(
                    422,
                    "REFUND_CAPTURE_CURRENCY_MISMATCH",
                    "/amount/currency_code",
                    refund_currency,
                )
            if amount > left:
                raise _refund_error(
                    422, "REFUND_AMOUNT_EXCEEDED", "/amount/value", data["amount"]["value"]
                )
        else:
            amount = left
        texts = {}
        for key, limit in _TEXT_FIELDS.items():
            value = data.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not 1 <= len(value) <= limit:
                raise _refund_error(400, "INVALID_STRING_LENGTH", f"/{key}", value)
            texts[key] = value
        now = now_iso()
        refunded += amount
        refund = {
            "id": new_id(17),
            "capture_id": capture_id,
            "status": "COMPLETED",
            "amount": money(amount, currency),
            "total_refunded": money(refunded, currency),
            "create_time": now,
            "update_time": now,
            **texts,
        }
        table(REFUNDS)[refund["id"]] = refund
        capture["refunded"] = str(refunded)
        capture["refund_ids"].append(refund["id"])
        capture["status"] = "REFUNDED" if refunded >= captured else "PARTIALLY_REFUNDED"
        capture["update_time"] = now
        state.ledger.append(
            {
                "protocol": "rest",
                "kind": "refund",
                "id": refund["id"],
                "capture_id": capture_id,
                "amount": refund["amount"]["value"],
                "currency": currency,
                "request_id": request.headers.get("PayPal-Request-Id", ""),
                "payee": capture["payee"],
                "acting_for": asserted_merchant(request),
            }
        )
        body = refund_view(refund, base_url(request), full=wants_representation(request))
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    @api(state, api_name="payments")
    def get_refund(request: Request, refund_id: str) -> Response:
        code = mock_code(request)
        if code:
            raise mock_error(code, GET_MOCKS, "payments")
        refund = table(REFUNDS).get(refund_id) if _ID.fullmatch(refund_id) else None
        if refund is None:
            raise _not_found(refund_id, "refund_id")
        return json_response(refund_view(refund, base_url(request)))

    return [
        Rule("/v2/payments/captures/<capture_id>", endpoint=get_capture, methods=["GET"]),
        Rule(
            "/v2/payments/captures/<capture_id>/refund", endpoint=refund_capture, methods=["POST"]
        ),
        Rule("/v2/payments/refunds/<refund_id>", endpoint=get_refund, methods=["GET"]),
    ]


def asserted_merchant(request) -> str:
    """The ``payer_id`` a partner names in ``PayPal-Auth-Assertion`` (an unsigned JWT), or ""."""
    import base64
    import json

    header = request.headers.get("PayPal-Auth-Assertion", "")
    parts = header.split(".")
    if len(parts) < 2:
        return ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return ""
    return str(claims.get("payer_id", "")) if isinstance(claims, dict) else ""

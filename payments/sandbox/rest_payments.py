"""Payments v2: show a capture, refund it in full or in part, show a refund.

A refund without ``amount`` refunds what is left of the capture; one with ``amount`` refunds
that much, never more than is left (``REFUND_AMOUNT_EXCEEDED``), in the capture's currency
(``REFUND_CAPTURE_CURRENCY_MISMATCH``); a fully refunded capture answers
``CAPTURE_FULLY_REFUNDED``. Idempotent by ``PayPal-Request-Id`` (the replay answers 201 with
the first body, as the document lists no 200 for this call). A capture paid to a merchant
other than the platform needs ``PayPal-Auth-Assertion`` naming that merchant (see
``merchants``; 403 ``PERMISSION_DENIED`` otherwise); a PENDING capture answers 422
``PENDING_CAPTURE``, a denied one ``REFUND_NOT_ALLOWED``. Each refund sends
``PAYMENT.CAPTURE.REFUNDED``.

``reverse_capture`` is a chargeback (control route ``/_sandbox/captures/{id}/reverse``): what is
left of the capture goes back to the buyer, the capture reads ``REFUNDED`` with
``status_details.reason`` ``CHARGEBACK``, the ledger gets kind ``reversal`` and the listener
``PAYMENT.CAPTURE.REVERSED`` (resource: the reversal, shaped as a refund).

``PayPal-Mock-Response`` codes on refund: ``REFUND_FAILED_INSUFFICIENT_FUNDS``,
``REFUND_NOT_ALLOWED``, ``PAYEE_ACCOUNT_RESTRICTED``, ``INTERNAL_SERVER_ERROR``; on the GETs:
``INTERNAL_SERVER_ERROR``.
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
    bearer_client,
    new_id,
    now_iso,
    wants_representation,
)
from .rest_errors import (
    INVALID_RESOURCE_ID,
    ApiError,
    checked_texts,
    issue,
    json_body,
    json_response,
    mock_code,
    mock_error,
)
from .rest_money import money, parse_money
from .rest_order_views import CAPTURES, payments_capture_view
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
    "PENDING_CAPTURE": "Cannot initiate a refund as the capture is pending. Capture is typically "
    "pending when the payer has funded the transaction using e-check/bank funded.",
    "REFUND_NOT_ALLOWED": "Capture cannot be refunded.",
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


def _refund_event(state: SandboxState, what: str, refund: dict, base: str) -> None:
    """``PAYMENT.CAPTURE.REFUNDED`` or ``.REVERSED`` for a refund or reversal record."""
    amount = refund["amount"]
    webhooks.emit(
        state,
        f"PAYMENT.CAPTURE.{what}",
        refund_view(refund, base),
        resource_type="refund",
        summary=f"A {amount['value']} {amount['currency_code']} capture payment was {what.lower()}",
        base=base,
    )


def reverse_capture(state: SandboxState, capture: dict, base: str) -> dict | None:
    """A chargeback on ``capture`` (lock held): None when nothing is left to reverse."""
    captured = Decimal(capture["amount"]["value"])
    currency = capture["amount"]["currency_code"]
    left = captured - Decimal(capture["refunded"])
    if left <= 0 or capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
        return None
    now = now_iso()
    reversal = {
        "id": new_id(17),
        "capture_id": capture["id"],
        "status": "COMPLETED",
        "amount": money(left, currency),
        "total_refunded": money(captured, currency),
        "note_to_payer": "Payment reversed",
        "create_time": now,
        "update_time": now,
    }
    state.table(REFUNDS)[reversal["id"]] = reversal
    capture.update(refunded=str(captured), status="REFUNDED", reason="CHARGEBACK", update_time=now)
    capture["refund_ids"].append(reversal["id"])
    state.ledger.append(
        {
            "protocol": "rest",
            "kind": "reversal",
            "id": reversal["id"],
            "capture_id": capture["id"],
            "amount": reversal["amount"]["value"],
            "currency": currency,
            "payee": capture["payee"],
        }
    )
    _refund_event(state, "REVERSED", reversal, base)
    return reversal


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
        view = payments_capture_view(state, _capture(capture_id), base_url(request))
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
        merchants.check_acting_for(
            state, request, bearer_client(state, request) or "", capture["payee"]
        )
        if capture["status"] in ("PENDING", "DECLINED"):
            name = "PENDING_CAPTURE" if capture["status"] == "PENDING" else "REFUND_NOT_ALLOWED"
            raise _refund_error(422, name)
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
        texts = checked_texts(
            data,
            _TEXT_FIELDS,
            lambda key, value: _refund_error(400, "INVALID_STRING_LENGTH", f"/{key}", value),
        )
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
                "acting_for": merchants.asserted_merchant(request),
            }
        )
        _refund_event(state, "REFUNDED", refund, base_url(request))
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

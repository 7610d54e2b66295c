"""Orders v2 (create, get, capture) and the buyer's approval page.

Flow: ``POST /v2/checkout/orders`` -> ``CREATED`` with an ``approve`` link to
``/checkoutnow?token={id}``; the buyer approves there (-> ``APPROVED``, redirect to
``return_url?token=…&PayerID=…``) or cancels (redirect to ``cancel_url?token=…``);
``POST /v2/checkout/orders/{id}/capture`` -> ``COMPLETED`` with one capture per purchase unit.
An order created with ``payment_source.paypal`` answers ``PAYER_ACTION_REQUIRED`` with a
``payer-action`` link instead, as PayPal does.

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
from html import escape
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .rest_common import (
    ApiError,
    Idempotency,
    api,
    base_url,
    html_page,
    issue,
    json_body,
    json_response,
    mock_code,
    mock_error,
    money,
    new_account_id,
    new_id,
    now_iso,
    parse_money,
    redirect,
    stable_account_id,
    wants_representation,
    with_query,
)
from .state import SandboxState

ORDERS = "rest_orders"
CAPTURES = "rest_captures"

BUYER = {
    "given_name": "Sandbox",
    "surname": "Buyer",
    "email_address": "sb-buyer@personal.example.com",
    "country_code": "US",
}

# PayPal's wording per operation, as its OpenAPI document fixes it (schemas 400, 422,
# orders.capture-400/403/422): the response validator checks these strings.
CREATE_400 = {
    "MISSING_REQUIRED_PARAMETER": "A required parameter is missing.",
    "INVALID_PARAMETER_VALUE": "A parameter value is not valid.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "INVALID_STRING_LENGTH": "The value of a field is either too short or too long",
    "MALFORMED_REQUEST_JSON": "The request JSON is not well formed.",
    "INVALID_ARRAY_MIN_ITEMS": "The number of items in an array parameter is too small.",
    "INVALID_ARRAY_MAX_ITEMS": "The number of items in an array parameter is too large.",
}
CREATE_422 = {
    "CANNOT_BE_ZERO_OR_NEGATIVE": "Must be greater than zero. If the currency supports decimals, "
    "only two decimal place precision is supported.",
    "DECIMAL_PRECISION": "If the currency supports decimals, only two decimal place precision is "
    "supported.",
    "INVALID_CURRENCY_CODE": "Currency code is invalid or is not currently supported. Please refer "
    "https://developer.paypal.com/api/rest/reference/currency-codes/ for list of supported "
    "currency codes.",
    "UNSUPPORTED_INTENT": "`intent=AUTHORIZE` is not supported for multiple purchase units. Only "
    "`intent=CAPTURE` is supported.",
}
CREATE_MOCKS: dict[str, tuple[int, str | None]] = {
    "PAYEE_ACCOUNT_RESTRICTED": (422, "The merchant account is restricted."),
    "PAYEE_ACCOUNT_LOCKED_OR_CLOSED": (422, "The merchant account is locked or closed."),
    "INTERNAL_SERVER_ERROR": (500, None),
}
GET_MOCKS: dict[str, tuple[int, str | None]] = {"INTERNAL_SERVER_ERROR": (500, None)}
CAPTURE_MALFORMED = "The request JSON is not well formed."
ORDER_NOT_APPROVED = (
    "Payer has not yet approved the Order for payment. Please redirect the payer to the "
    "'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or "
    "provide a valid `payment_source` in the request."
)
ORDER_ALREADY_CAPTURED = (
    "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed."
)
CAPTURE_MOCKS: dict[str, tuple[int, str | None]] = {
    "INSTRUMENT_DECLINED": (
        422,
        "The instrument presented  was either declined by the processor or bank, or it can't "
        "be used for this payment.",
    ),
    "TRANSACTION_REFUSED": (422, "The request was refused."),
    "PAYER_ACCOUNT_RESTRICTED": (422, "PAYER_ACCOUNT_RESTRICTED"),
    "PAYER_CANNOT_PAY": (
        422,
        "Payer cannot pay for this transaction. Please contact the payer to find other ways to "
        "pay for this transaction.",
    ),
    "PAYER_ACCOUNT_LOCKED_OR_CLOSED": (
        422,
        "The payer account cannot be used for this transaction.",
    ),
    "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED": (
        422,
        "You have exceeded the maximum number of payment attempts.",
    ),
    "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING": (
        422,
        "Transaction failed. Redirect the payer to select another funding source.",
    ),
    "TRANSACTION_LIMIT_EXCEEDED": (422, "Total payment amount exceeded transaction limit."),
    "PERMISSION_DENIED": (
        403,
        "You do not have permission to access or perform operations on this resource.",
    ),
    "INTERNAL_SERVER_ERROR": (500, None),
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ORDER_ID = re.compile(r"[A-Z0-9]{1,36}")
_TEXT_LIMITS = {"reference_id": 256, "description": 127, "custom_id": 127, "invoice_id": 127,
                "soft_descriptor": 22}  # fmt: skip


def _bad(status: int, name: str, field: str, value: Any = None) -> ApiError:
    table = CREATE_400 if status == 400 else CREATE_422
    return ApiError(status, [issue(name, table[name], field=field, value=value)])


def _experience(data: dict) -> tuple[dict, str, bool]:
    """The buyer-experience settings, their JSON pointer, and whether the buyer acts through
    ``payer-action`` (``payment_source.paypal``) rather than the ``approve`` link."""
    source = data.get("payment_source")
    wallet = source.get("paypal") if isinstance(source, dict) else None
    if isinstance(wallet, dict):
        context = wallet.get("experience_context") or {}
        pointer = "/payment_source/paypal/experience_context"
        return (context if isinstance(context, dict) else {}), pointer, True
    context = data.get("application_context") or {}
    return (context if isinstance(context, dict) else {}), "/application_context", False


def _validate_order_request(data: dict) -> tuple[str, list[dict], dict, bool]:
    intent = data.get("intent")
    if intent in (None, ""):
        raise _bad(400, "MISSING_REQUIRED_PARAMETER", "/intent")
    if intent not in ("CAPTURE", "AUTHORIZE"):
        raise _bad(400, "INVALID_PARAMETER_VALUE", "/intent", intent)
    if intent == "AUTHORIZE":
        # The simulator implements the CAPTURE flow only.
        raise _bad(422, "UNSUPPORTED_INTENT", "/intent", intent)
    units = data.get("purchase_units")
    if units is None:
        raise _bad(400, "MISSING_REQUIRED_PARAMETER", "/purchase_units")
    if not isinstance(units, list):
        raise _bad(400, "INVALID_PARAMETER_SYNTAX", "/purchase_units")
    if not units:
        raise _bad(400, "INVALID_ARRAY_MIN_ITEMS", "/purchase_units")
    if len(units) > 10:
        raise _bad(400, "INVALID_ARRAY_MAX_ITEMS", "/purchase_units")
    descriptions = {**CREATE_400, **CREATE_422}
    parsed = []
    for index, unit in enumerate(units):
        where = f"/purchase_units/{index}"
        if not isinstance(unit, dict):
            raise _bad(400, "INVALID_PARAMETER_SYNTAX", where)
        amount, currency = parse_money(unit.get("amount"), f"{where}/amount", descriptions)
        payee_in = unit.get("payee") or {}
        if not isinstance(payee_in, dict):
            raise _bad(400, "INVALID_PARAMETER_SYNTAX", f"{where}/payee")
        email = payee_in.get("email_address")
        if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
            raise _bad(400, "INVALID_PARAMETER_SYNTAX", f"{where}/payee/email_address", email)
        payee = {
            "email_address": email or "sb-platform@business.example.com",
            "merchant_id": payee_in.get("merchant_id")
            or stable_account_id("payee:" + (email or "").lower()),
        }
        record = {
            "reference_id": unit.get("reference_id") or ("default" if len(units) == 1 else ""),
            "amount": money(amount, currency),
            "payee": payee,
        }
        if len(units) > 1 and not unit.get("reference_id"):
            raise _bad(400, "MISSING_REQUIRED_PARAMETER", f"{where}/reference_id")
        for key, limit in _TEXT_LIMITS.items():
            value = unit.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not 1 <= len(value) <= limit:
                raise _bad(400, "INVALID_STRING_LENGTH", f"{where}/{key}", value)
            record[key] = value
        parsed.append(record)
    context, pointer, payer_action = _experience(data)
    urls = {}
    for key in ("return_url", "cancel_url"):
        value = context.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not re.match(r"https?://", value) or len(value) > 4000:
            raise _bad(400, "INVALID_PARAMETER_SYNTAX", f"{pointer}/{key}", value)
        urls[key] = value
    brand = context.get("brand_name")
    if isinstance(brand, str) and brand:
        urls["brand_name"] = brand[:127]
    return intent, parsed, urls, payer_action


def _links(order: dict, base: str) -> list[dict]:
    self_href = f"{base}/v2/checkout/orders/{order['id']}"
    links = [{"href": self_href, "rel": "self", "method": "GET"}]
    status = order["status"]
    if status == "CREATED":
        links.append(
            {"href": f"{base}/checkoutnow?token={order['id']}", "rel": "approve", "method": "GET"}
        )
    if status == "PAYER_ACTION_REQUIRED":
        links.append(
            {
                "href": f"{base}/checkoutnow?token={order['id']}",
                "rel": "payer-action",
                "method": "GET",
            }
        )
    if status in ("CREATED", "APPROVED"):
        links.append({"href": self_href, "rel": "update", "method": "PATCH"})
        links.append({"href": f"{self_href}/capture", "rel": "capture", "method": "POST"})
    return links


def capture_view(capture: dict, base: str) -> dict:
    """A capture as Orders and Payments v2 show it."""
    cid = capture["id"]
    view = {
        "id": cid,
        "status": capture["status"],
        "amount": capture["amount"],
        "final_capture": True,
        "seller_protection": {
            "status": "ELIGIBLE",
            "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
        },
        "seller_receivable_breakdown": capture["breakdown"],
        "links": [
            {"href": f"{base}/v2/payments/captures/{cid}", "rel": "self", "method": "GET"},
            {
                "href": f"{base}/v2/payments/captures/{cid}/refund",
                "rel": "refund",
                "method": "POST",
            },
            {
                "href": f"{base}/v2/checkout/orders/{capture['order_id']}",
                "rel": "up",
                "method": "GET",
            },
        ],
        "create_time": capture["create_time"],
        "update_time": capture["update_time"],
    }
    if capture["status"] == "REFUNDED":
        view["status_details"] = {"reason": "REFUNDED"}
    return view


def _payer(order: dict) -> dict:
    payer = order["payer"]
    return {
        "name": {"given_name": payer["given_name"], "surname": payer["surname"]},
        "email_address": payer["email_address"],
        "payer_id": payer["payer_id"],
        "address": {"country_code": payer["country_code"]},
    }


def _payment_source(order: dict) -> dict:
    payer = order["payer"]
    return {
        "paypal": {
            "email_address": payer["email_address"],
            "account_id": payer["payer_id"],
            "account_status": "VERIFIED",
            "name": {"given_name": payer["given_name"], "surname": payer["surname"]},
            "address": {"country_code": payer["country_code"]},
        }
    }


def _units(state: SandboxState, order: dict, base: str, *, full: bool) -> list[dict]:
    captures = state.table(CAPTURES)
    units = []
    for unit in order["purchase_units"]:
        view = dict(unit) if full else {"reference_id": unit["reference_id"]}
        if unit.get("capture_ids"):
            view.pop("capture_ids", None)
            view["payments"] = {
                "captures": [capture_view(captures[cid], base) for cid in unit["capture_ids"]]
            }
        view.pop("capture_ids", None)
        units.append(view)
    return units


def order_view(state: SandboxState, order: dict, base: str, *, full: bool = True) -> dict:
    if not full:
        return {"id": order["id"], "status": order["status"], "links": _links(order, base)}
    view: dict[str, Any] = {
        "id": order["id"],
        "intent": order["intent"],
        "status": order["status"],
    }
    if order["payer"]:
        view["payment_source"] = _payment_source(order)
    view["purchase_units"] = _units(state, order, base, full=True)
    if order["payer"]:
        view["payer"] = _payer(order)
    view["create_time"] = order["create_time"]
    if order["update_time"] != order["create_time"]:
        view["update_time"] = order["update_time"]
    view["links"] = _links(order, base)
    return view


def _capture_result_view(state: SandboxState, order: dict, base: str) -> dict:
    """The capture answer in PayPal's default (minimal) shape."""
    return {
        "id": order["id"],
        "status": order["status"],
        "payment_source": _payment_source(order),
        "purchase_units": _units(state, order, base, full=False),
        "payer": _payer(order),
        "links": _links(order, base),
    }


def _fee(amount: Decimal, currency: str) -> Decimal:
    fixed = Decimal("49") if currency in ("HUF", "JPY", "TWD") else Decimal("0.49")
    return min(amount, (amount * Decimal("0.0349") + fixed))


def routes(state: SandboxState) -> list[Rule]:
    idempotency = Idempotency(state)
    table = state.table  # looked up per request: reset() clears the tables

    @api(state)
    def create_order(request: Request) -> Response:
        replay = idempotency.replay(request)
        if replay is not None:
            return json_response(replay[1], 200)
        code = mock_code(request)
        if code:
            raise mock_error(code, CREATE_MOCKS, "orders")
        data = json_body(request, required=True, description=CREATE_400["MALFORMED_REQUEST_JSON"])
        intent, units, experience, payer_action = _validate_order_request(data)
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
        table(ORDERS)[order["id"]] = order
        body = order_view(state, order, base_url(request), full=wants_representation(request))
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    def _find(order_id: str) -> dict:
        order = table(ORDERS).get(order_id) if _ORDER_ID.fullmatch(order_id) else None
        if order is None:
            raise ApiError(
                404,
                [
                    issue(
                        "INVALID_RESOURCE_ID",
                        "Specified resource ID does not exist. Please check the resource ID and "
                        "try again.",
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
        now = now_iso()
        request_id = request.headers.get("PayPal-Request-Id", "")
        for unit in order["purchase_units"]:
            amount = Decimal(unit["amount"]["value"])
            currency = unit["amount"]["currency_code"]
            fee = _fee(amount, currency)
            capture = {
                "id": new_id(17),
                "order_id": order["id"],
                "status": "COMPLETED",
                "amount": money(amount, currency),
                "breakdown": {
                    "gross_amount": money(amount, currency),
                    "paypal_fee": money(fee, currency),
                    "net_amount": money(amount - fee, currency),
                },
                "refunded": "0",
                "refund_ids": [],
                "payee": unit["payee"]["email_address"],
                "create_time": now,
                "update_time": now,
            }
            table(CAPTURES)[capture["id"]] = capture
            unit["capture_ids"] = [capture["id"]]
            state.ledger.append(
                {
                    "protocol": "rest",
                    "kind": "capture",
                    "id": capture["id"],
                    "order_id": order["id"],
                    "amount": capture["amount"]["value"],
                    "currency": currency,
                    "request_id": request_id,
                    "payee": capture["payee"],
                }
            )
        order["status"] = "COMPLETED"
        order["update_time"] = now
        base = base_url(request)
        if wants_representation(request):
            body = order_view(state, order, base)
        else:
            body = _capture_result_view(state, order, base)
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    # --- the buyer's side --------------------------------------------------------------------

    def _page_order(token: str) -> dict | None:
        with state.lock:
            return table(ORDERS).get(token) if _ORDER_ID.fullmatch(token or "") else None

    def approval_page(request: Request) -> Response:
        token = request.args.get("token", "")
        order = _page_order(token)
        if order is None:
            return html_page("Checkout not found", "<p>This checkout does not exist.</p>", 404)
        if order["status"] not in ("CREATED", "PAYER_ACTION_REQUIRED", "APPROVED"):
            return html_page(
                "Checkout closed",
                f"<p>This checkout is {escape(order['status'].lower())} and can no longer be "
                "approved.</p>",
                409,
            )
        lines = "".join(
            f"<li>{escape(unit['amount']['value'])} {escape(unit['amount']['currency_code'])}"
            f" to {escape(unit['payee']['email_address'])}"
            + (f" — {escape(unit['description'])}" if unit.get("description") else "")
            + "</li>"
            for unit in order["purchase_units"]
        )
        merchant = escape(
            order["brand_name"] or order["purchase_units"][0]["payee"]["email_address"]
        )
        hidden = f'<input type="hidden" name="token" value="{escape(order["id"])}">'
        body = (
            f"<p>Pay <strong>{merchant}</strong> with your PayPal account "
            f"({escape(BUYER['email_address'])}).</p>"
            f'<ul class="purchase-units">{lines}</ul>'
            f'<form method="post" action="/checkoutnow/approve">{hidden}'
            '<button type="submit" id="approve">Approve and pay</button></form>'
            f'<form method="post" action="/checkoutnow/cancel">{hidden}'
            '<button type="submit" id="cancel">Cancel</button></form>'
        )
        return html_page("Review your payment", body)

    def approve(request: Request) -> Response:
        token = request.form.get("token", "")
        with state.lock:
            order = _page_order(token)
            if order is None:
                return html_page("Checkout not found", "<p>This checkout does not exist.</p>", 404)
            if order["status"] in ("CREATED", "PAYER_ACTION_REQUIRED"):
                order["payer"] = {**BUYER, "payer_id": new_account_id()}
                order["status"] = "APPROVED"
                order["update_time"] = now_iso()
            elif order["status"] != "APPROVED":
                return html_page(
                    "Checkout closed", "<p>This checkout can no longer be approved.</p>", 409
                )
            payer_id = order["payer"]["payer_id"]
            return_url = order["return_url"]
        if not return_url:
            return html_page("Payment approved", "<p>You can close this window.</p>")
        return redirect(with_query(return_url, {"token": token, "PayerID": payer_id}))

    def cancel(request: Request) -> Response:
        token = request.form.get("token", "")
        order = _page_order(token)
        if order is None:
            return html_page("Checkout not found", "<p>This checkout does not exist.</p>", 404)
        if not order["cancel_url"]:
            return html_page("Payment cancelled", "<p>You can close this window.</p>")
        return redirect(with_query(order["cancel_url"], {"token": token}))

    return [
        Rule("/v2/checkout/orders", endpoint=create_order, methods=["POST"]),
        Rule("/v2/checkout/orders/<order_id>", endpoint=get_order, methods=["GET"]),
        Rule("/v2/checkout/orders/<order_id>/capture", endpoint=capture_order, methods=["POST"]),
        Rule("/checkoutnow", endpoint=approval_page, methods=["GET"]),
        Rule("/checkoutnow/approve", endpoint=approve, methods=["POST"]),
        Rule("/checkoutnow/cancel", endpoint=cancel, methods=["POST"]),
    ]

"""How Orders v2 and Payments v2 show an order and its captures (the JSON views).

Tables: ``ORDERS`` (order id -> order record) and ``CAPTURES`` (capture id -> capture
record) in ``state.table``. A capture record holds ``status`` (``COMPLETED``, ``PENDING``,
``DECLINED``, ``PARTIALLY_REFUNDED``, ``REFUNDED``) and, for PENDING, DECLINED and a reversed
capture, ``reason`` (shown as ``status_details.reason``).
"""

from __future__ import annotations

from typing import Any

from .state import SandboxState

ORDERS = "rest_orders"
CAPTURES = "rest_captures"

BUYER = {
    "given_name": "Sandbox",
    "surname": "Buyer",
    "email_address": "sb-buyer@personal.example.com",
    "country_code": "US",
}


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
    if capture.get("reason"):
        view["status_details"] = {"reason": capture["reason"]}
    elif capture["status"] == "REFUNDED":
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


def capture_result_view(state: SandboxState, order: dict, base: str) -> dict:
    """The capture answer in PayPal's default (minimal) shape."""
    return {
        "id": order["id"],
        "status": order["status"],
        "payment_source": _payment_source(order),
        "purchase_units": _units(state, order, base, full=False),
        "payer": _payer(order),
        "links": _links(order, base),
    }


def payments_capture_view(state: SandboxState, capture: dict, base: str) -> dict:
    """A capture as ``GET /v2/payments/captures/{id}`` and webhook events show it."""
    view = capture_view(capture, base)
    view["supplementary_data"] = {"related_ids": {"order_id": capture["order_id"]}}
    order = state.table(ORDERS).get(capture["order_id"])
    units = order["purchase_units"] if order else []
    payee = next((u["payee"] for u in units if capture["id"] in u.get("capture_ids", [])), None)
    if payee:
        view["payee"] = payee
    return view

"""PayPal's documented maximum length of every text field the gateways send: the one place
that knows them.

A value longer than PayPal allows is refused by PayPal (REST ``INVALID_STRING_LENGTH``, Payflow
RESULT 7 or a silently cut field), so every gateway passes what it sends through ``fit`` (one
value) or ``fit_fields`` (a Payflow name-value request) before it leaves. Values are cut at a
character boundary and stripped of surrounding spaces; an empty result stays empty.

Sources: PayPal's *Payflow Gateway Developer Guide* (transaction and Express Checkout
parameters) and the Orders v2 / Payments v2 OpenAPI documents (``maxLength``). Identifiers the
protocol itself limits (``X-VPS-REQUEST-ID``, ``PayPal-Request-Id``, ``CUSTREF``) are shaped by
their own helpers (``payflow_wire``, ``paypal_rest``) and listed here for reference only.

Plain values only: no Django, no settings.
"""

from __future__ import annotations

from collections.abc import Mapping

# Payflow name-value parameters (card transactions and Express Checkout through Payflow).
PAYFLOW: Mapping[str, int] = {
    "ORDERDESC": 127,  # Express Checkout order description shown on PayPal's page
    "DESC": 127,
    "INVNUM": 127,
    "COMMENT1": 128,
    "COMMENT2": 128,
    "BILLTOFIRSTNAME": 30,
    "BILLTOLASTNAME": 30,
    "BILLTOSTREET": 30,
    "BILLTOZIP": 9,
    "CUSTREF": 12,
    "RETURNURL": 1024,
    "CANCELURL": 1024,
}

# Orders v2 (``purchase_units[]`` and ``application_context``) and Payments v2 refunds.
ORDERS: Mapping[str, int] = {
    "description": 127,
    "custom_id": 127,
    "invoice_id": 127,
    "reference_id": 256,
    "soft_descriptor": 22,
    "brand_name": 127,
    "note_to_payer": 255,
    "return_url": 4000,
    "cancel_url": 4000,
}


def fit(value: str, limit: int) -> str:
    """``value`` stripped and cut to at most ``limit`` characters."""
    return str(value).strip()[:limit].rstrip()


def fit_fields(fields: Mapping[str, str], limits: Mapping[str, int] = PAYFLOW) -> dict[str, str]:
    """A copy of ``fields`` with every field ``limits`` knows cut to its maximum."""
    return {
        name: fit(value, limits[name]) if name in limits else value
        for name, value in fields.items()
    }

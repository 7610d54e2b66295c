"""What an Orders v2 request may hold, and PayPal's wording for each refusal.

``validate_order_request`` checks a create-order body as the Orders document describes it
(intent, purchase units, amounts, payee, text limits, return and cancel URLs) and raises
``ApiError`` with the document's issue names and descriptions; the response validator in the
tests checks these strings.
"""

from __future__ import annotations

import re
from typing import Any

from .merchants import PLATFORM_EMAIL
from .rest_errors import ApiError, checked_texts, issue
from .rest_money import money, parse_money

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


def validate_order_request(data: dict) -> tuple[str, list[dict], dict, bool]:
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
            "email_address": email or PLATFORM_EMAIL,
            # Filled from the merchant directory when the order is stored.
            "merchant_id": str(payee_in.get("merchant_id") or ""),
        }
        record = {
            "reference_id": unit.get("reference_id") or ("default" if len(units) == 1 else ""),
            "amount": money(amount, currency),
            "payee": payee,
        }
        if len(units) > 1 and not unit.get("reference_id"):
            raise _bad(400, "MISSING_REQUIRED_PARAMETER", f"{where}/reference_id")
        record.update(
            checked_texts(
                unit,
                _TEXT_LIMITS,
                lambda key, value, where=where: _bad(
                    400, "INVALID_STRING_LENGTH", f"{where}/{key}", value
                ),
            )
        )
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

"""PayPal's ``money`` objects: the currencies it accepts, their decimals, validation.

``parse_money`` checks a ``{"currency_code", "value"}`` object the way the Orders and
Payments documents describe it and raises ``ApiError`` with the operation's own wording.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .rest_errors import ApiError, issue

# ISO-4217 codes PayPal accepts, and those without decimals.
CURRENCIES = frozenset(
    [
        "AUD",
        "BRL",
        "CAD",
        "CNY",
        "CZK",
        "DKK",
        "EUR",
        "HKD",
        "HUF",
        "ILS",
        "JPY",
        "MYR",
        "MXN",
        "TWD",
        "NZD",
        "NOK",
        "PHP",
        "PLN",
        "GBP",
        "RUB",
        "SGD",
        "SEK",
        "CHF",
        "THB",
        "USD",
    ]
)
ZERO_DECIMAL_CURRENCIES = frozenset({"HUF", "JPY", "TWD"})


def parse_money(
    money: Any,
    field: str,
    descriptions: dict[str, str],
    *,
    positive: bool = True,
    api_name: str = "orders",
) -> tuple[Decimal, str]:
    """Validate a ``money`` object as PayPal does; returns (amount, currency).

    ``descriptions`` holds the operation's wording for the issues it may raise:
    MISSING_REQUIRED_PARAMETER, INVALID_PARAMETER_SYNTAX, INVALID_CURRENCY_CODE,
    CANNOT_BE_ZERO_OR_NEGATIVE, DECIMAL_PRECISION.
    """
    try:
        return _parse_money(money, field, descriptions, positive=positive)
    except ApiError as exc:
        exc.api = api_name
        raise


def _parse_money(
    money: Any, field: str, descriptions: dict[str, str], *, positive: bool
) -> tuple[Decimal, str]:
    if not isinstance(money, dict):
        raise ApiError(
            400,
            [
                issue(
                    "MISSING_REQUIRED_PARAMETER",
                    descriptions["MISSING_REQUIRED_PARAMETER"],
                    field=field,
                )
            ],
        )
    currency = money.get("currency_code")
    value = money.get("value")
    missing = [
        name for name, v in (("currency_code", currency), ("value", value)) if v in (None, "")
    ]
    if missing:
        raise ApiError(
            400,
            [
                issue(
                    "MISSING_REQUIRED_PARAMETER",
                    descriptions["MISSING_REQUIRED_PARAMETER"],
                    field=f"{field}/{name}",
                )
                for name in missing
            ],
        )
    if not _is_money_value(value):
        raise ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_SYNTAX",
                    descriptions["INVALID_PARAMETER_SYNTAX"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise ApiError(
            422,
            [
                issue(
                    "INVALID_CURRENCY_CODE",
                    descriptions["INVALID_CURRENCY_CODE"],
                    field=f"{field}/currency_code",
                    value=currency,
                )
            ],
        )
    amount = Decimal(value)
    if positive and amount <= 0:
        raise ApiError(
            422,
            [
                issue(
                    "CANNOT_BE_ZERO_OR_NEGATIVE",
                    descriptions["CANNOT_BE_ZERO_OR_NEGATIVE"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ApiError(
            422,
            [
                issue(
                    "DECIMAL_PRECISION",
                    descriptions["DECIMAL_PRECISION"],
                    field=f"{field}/value",
                    value=value,
                )
            ],
        )
    return amount, currency


_MONEY_VALUE = re.compile(r"-?[0-9]+|-?[0-9]*[.][0-9]+")  # PayPal's ``money.value`` pattern


def _is_money_value(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 32 and bool(_MONEY_VALUE.fullmatch(value))


def format_amount(amount: Decimal, currency: str) -> str:
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    try:
        return str(amount.quantize(Decimal(1).scaleb(-places)))
    except InvalidOperation:  # pragma: no cover - amounts are validated before
        return str(amount)


def money(amount: Decimal, currency: str) -> dict:
    return {"currency_code": currency, "value": format_amount(amount, currency)}

"""How amounts, discounts and dates of promotional codes read, in the active language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

from .models import DiscountType

CURRENCY_SYMBOLS = {
    "USD": "$",
    "CAD": "CA$",
    "GBP": "£",
    "EUR": "€",
    "AUD": "A$",
    "JPY": "¥",
    "CHF": "CHF",
}


def currency_symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get((currency or "").upper(), (currency or "").upper())


def format_money(amount: Decimal, currency: str) -> str:
    """``$5.00`` in English, ``5,00 $`` in French."""
    number = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    symbol = currency_symbol(currency)
    if (get_language() or "en").startswith("fr"):
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


def format_discount(discount_type: str, value: Decimal, currency: str) -> str:
    if discount_type == DiscountType.PERCENT:
        value = Decimal(value)
        shown = value.quantize(Decimal(1)) if value == value.to_integral() else value
        number = formats.number_format(shown, use_l10n=True)
        if (get_language() or "en").startswith("fr"):
            return f"{number}\u00a0%"
        return f"{number}%"
    return format_money(value, currency)


def format_date(value: date | None) -> str:
    """dd/mm/yyyy, the seed's format, in every language."""
    return value.strftime("%d/%m/%Y") if value else ""

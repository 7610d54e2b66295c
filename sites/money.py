"""Amounts as a person reads them, in the active language: ``$5.00`` in English, ``5,00 $`` in
French (a non-breaking space between number and unit, groups of three digits apart:
``999 999,99 $``). Every app formats money through ``format_money`` and percentages through
``format_percent`` (templates through the ``money`` and ``percent`` filters of
``sites/templatetags/money.py``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

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
    """The symbol of an ISO 4217 code; the code itself when it has none here."""
    return CURRENCY_SYMBOLS.get((currency or "").upper(), (currency or "").upper())


def french() -> bool:
    """Whether the active language writes the unit after the number (``5,00 $``, ``10 %``)."""
    return (get_language() or "en").startswith("fr")


def format_money(amount: Decimal, currency: str) -> str:
    """Two decimals, grouped, with the currency symbol where the active language puts it."""
    number = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    symbol = currency_symbol(currency)
    if french():
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


def format_number(value: Decimal | int, decimals: int | None = None) -> str:
    """A count or a quantity, digits grouped by three as the active language groups them
    (``999,999.99``; ``999 999,99`` in French, with a non-breaking space)."""
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def format_percent(value: Decimal | int) -> str:
    """A percentage, whole numbers without decimals (``10%``, ``12.50%``; ``10 %`` in French)."""
    value = Decimal(value)
    shown = value.quantize(Decimal(1)) if value == value.to_integral() else value
    number = formats.number_format(shown, use_l10n=True)
    if french():
        return f"{number}\u00a0%"
    return f"{number}%"

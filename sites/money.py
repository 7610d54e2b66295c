"""Amounts as a person reads them, in the active language: ``$5.00`` in English, ``5,00 $`` in
French. Every app formats money through ``format_money`` (templates through the ``money``
filter of ``payments/templatetags/money.py``)."""

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

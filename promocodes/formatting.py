"""How the discount of a promotional code reads, in the active language."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

from sites.money import format_money, french

from .models import DiscountType


def format_discount(discount_type: str, value: Decimal, currency: str) -> str:
    if discount_type == DiscountType.PERCENT:
        value = Decimal(value)
        shown = value.quantize(Decimal(1)) if value == value.to_integral() else value
        number = formats.number_format(shown, use_l10n=True)
        if french():
            return f"{number}\u00a0%"
        return f"{number}%"
    return format_money(value, currency)

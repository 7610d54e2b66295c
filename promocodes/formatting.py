"""How the discount of a promotional code reads, in the active language."""

from __future__ import annotations

from decimal import Decimal

from sites.money import format_money, format_percent

from .models import DiscountType


def format_discount(discount_type: str, value: Decimal, currency: str) -> str:
    if discount_type == DiscountType.PERCENT:
        return format_percent(value)
    return format_money(value, currency)

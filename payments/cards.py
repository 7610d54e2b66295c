"""Card checks made before anything is sent to PayPal: Luhn, brand, expiry, security code.

Nothing here stores or logs a card number.
"""

from __future__ import annotations

import re
from datetime import date

from .models import Card

# Brand prefixes (IIN ranges) as PayPal's processors recognise them.
_BRAND_RULES: list[tuple[str, re.Pattern]] = [
    (Card.AMEX, re.compile(r"^3[47]\d{13}$")),
    (Card.DINERS, re.compile(r"^3(?:0[0-5]\d{11}|[689]\d{12})$")),
    (Card.JCB, re.compile(r"^35(?:2[89]|[3-8]\d)\d{12}$")),
    (Card.DISCOVER, re.compile(r"^6(?:011\d{12}|4[4-9]\d{13}|5\d{14})$")),
    (
        Card.MASTERCARD,
        re.compile(r"^(?:5[1-5]\d{14}|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})$"),
    ),
    (Card.VISA, re.compile(r"^4\d{12}(?:\d{3}){0,2}$")),
]
# A ticked card type accepts these detected brands.
BRANDS_BY_TYPE = {
    Card.VISA: {Card.VISA},
    Card.VISA_DEBIT_ELECTRON: {Card.VISA},
    Card.MASTERCARD: {Card.MASTERCARD},
    Card.AMEX: {Card.AMEX},
    Card.DISCOVER: {Card.DISCOVER},
    Card.DINERS: {Card.DINERS},
    Card.JCB: {Card.JCB},
}


def digits_only(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "")


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def detect_brand(number: str) -> str | None:
    for brand, pattern in _BRAND_RULES:
        if pattern.match(number):
            return brand
    return None


def parse_expiry(text: str) -> tuple[int, int] | None:
    """``mm/yy`` (or ``mm/yyyy``, ``mmyy``) → (month, four-digit year), else None."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", text or "")
    if not match:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return None
    return month, year


def expired(month: int, year: int, today: date) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (year, month) < (today.year, today.month)


def security_code_length(brand: str) -> int:
    return 4 if brand == Card.AMEX else 3

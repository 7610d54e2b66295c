"""The pilot server's documented rules: result codes, test cards, amounts, AVS and CVV2.

Everything here is a pure function of the request's fields, so each rule can be read (and
tested) on its own. The behaviour follows PayPal's Payflow test ("pilot") server:

- Only PayPal's published Payflow test card numbers are accepted; any other number, or one
  failing the Luhn check, or ``000000000000000``, gives RESULT 23.
- ``EXPDATE`` is ``mmyy`` (20yy); a past month, a malformed value or ``0298`` gives 24.
- ``AMT`` must be ``digits.two-digits`` (``15.00``); anything else (``-1``, ``15``, ``1,5``)
  gives 4. Amount triggers for sales, authorizations and Express Checkout collections:
  up to 1000.00 approves; from 1001 to 2000 the RESULT is ``int(AMT) - 1000`` when that is
  a defined Payflow code (``1012.00`` -> 12, ``1023.00`` -> 23, ``1050.00`` -> 50), else 12;
  above 2000.00 -> 12. Credits always approve (only the refundable balance is checked).
- AVSADDR from the first three digits of the number ``BILLTOSTREET`` starts with: 000-333
  Y, 334-666 N, 667+ X, a street not starting with a number X. AVSZIP from the first five
  digits of ``BILLTOZIP``: 00000-50000 Y, 50001-99999 N, anything else X; but whenever
  AVSADDR is X (street 667+ or non-numeric), AVSZIP is X too, as on PayPal's pilot server.
  CVV2MATCH: 001-300 Y, 301-600 N, 601+ X (omitted when no CVV2 was sent). These fields
  are informational: they never decline on their own.
- ``CURRENCY`` defaults to USD (partner ``PayPal``) or GBP (``PayPalUK``) and must be one of
  ``SUPPORTED_CURRENCIES`` (else 6).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

RESULT_MESSAGES: dict[int, str] = {
    0: "Approved",
    1: "User authentication failed",
    2: "Invalid tender type",
    3: "Invalid transaction type",
    4: "Invalid amount format",
    5: "Invalid merchant information",
    6: "Invalid or unsupported currency code",
    7: "Field format error",
    12: "Declined",
    13: "Referral",
    19: "Original transaction ID not found",
    23: "Invalid account number",
    24: "Invalid expiration date",
    25: "Invalid host mapping",
    26: "Invalid vendor account",
    30: "Duplicate transaction",
    50: "Insufficient funds available in account",
    99: "General error",
    104: "Timeout waiting for processor response",
    105: "Credit error",
    108: "Void error",
    111: "Capture error",
    112: "Failed AVS check",
    114: "Card security code (CSC) mismatch",
    117: "Failed merchant rule check",
    125: "Declined by fraud service",
    126: "Under review by fraud service",
    127: "Fraud service not processed",
    1000: "Generic host error",
}

TEST_CARD_NUMBERS: frozenset[str] = frozenset(
    {
        # American Express
        "378282246310005",
        "371449635398431",
        "378734493671000",
        # Diners Club
        "30569309025904",
        # Discover
        "6011111111111117",
        "6011000990139424",
        # JCB
        "3530111333300000",
        "3566002020360505",
        # MasterCard
        "2221000000000009",
        "2223000048400011",
        "2223016768739313",
        "5555555555554444",
        "5105105105105100",
        # Visa
        "4111111111111111",
        "4012888888881881",
        "4222222222222",
    }
)

SUPPORTED_CURRENCIES: frozenset[str] = frozenset(
    {"USD", "GBP", "EUR", "CAD", "AUD", "CHF", "NZD", "SEK", "DKK", "NOK", "SGD", "HKD"}
)

_AMOUNT = re.compile(r"^\d{1,9}\.\d{2}$")
_EXPDATE = re.compile(r"^(\d{2})(\d{2})$")
_DIGITS = re.compile(r"\d+")


def message_for(result: int, detail: str = "") -> str:
    """The RESPMSG for a RESULT code, with an optional detail after a colon."""
    base = RESULT_MESSAGES.get(result, "Declined")
    return f"{base}: {detail}" if detail else base


def parse_amount(text: str) -> Decimal | None:
    """``Decimal`` for a well-formed ``AMT`` (``####.##``), else ``None`` (RESULT 4)."""
    if not _AMOUNT.match(text or ""):
        return None
    return Decimal(text)


def format_amount(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):f}"


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_number_result(acct: str) -> int:
    """0 for a published test card number, 23 for anything else (zeros, Luhn failure...)."""
    if not acct.isdigit() or not 13 <= len(acct) <= 19 or set(acct) == {"0"}:
        return 23
    if not luhn_valid(acct) or acct not in TEST_CARD_NUMBERS:
        return 23
    return 0


def expiry_result(expdate: str, today: dt.date | None = None) -> int:
    """0 for a future ``mmyy`` expiry, 24 for a past, malformed or ``0298`` one."""
    match = _EXPDATE.match(expdate or "")
    if not match or expdate == "0298":
        return 24
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    if not 1 <= month <= 12:
        return 24
    today = today or dt.date.today()
    return 0 if (year, month) >= (today.year, today.month) else 24


def amount_trigger_result(amount: Decimal) -> int:
    """The pilot server's amount-driven RESULT for sales, authorizations and EC collections."""
    if amount <= Decimal("1000.00"):
        return 0
    if amount <= Decimal("2000.00"):
        code = int(amount) - 1000
        return code if code in RESULT_MESSAGES and code != 0 else 12
    return 12


def avs_address(street: str) -> str:
    digits = _DIGITS.match((street or "").strip())
    if not digits:
        return "X"
    value = int(digits.group(0)[:3])
    if value <= 333:
        return "Y"
    if value <= 666:
        return "N"
    return "X"


def avs_zip(zip_code: str) -> str:
    digits = re.sub(r"\D", "", zip_code or "")
    if len(digits) < 5:
        return "X"
    return "Y" if int(digits[:5]) <= 50000 else "N"


def avs_answer(street: str, zip_code: str) -> tuple[str, str]:
    """(AVSADDR, AVSZIP) for a billing street and ZIP: an X address makes the ZIP X too."""
    address = avs_address(street)
    return address, "X" if address == "X" else avs_zip(zip_code)


def cvv2_match(cvv2: str) -> str:
    if not cvv2.isdigit():
        return "X"
    value = int(cvv2)
    if 1 <= value <= 300:
        return "Y"
    if 301 <= value <= 600:
        return "N"
    return "X"


def currency_result(currency: str) -> int:
    """0 for a supported ISO currency code, 6 otherwise."""
    return 0 if currency in SUPPORTED_CURRENCIES else 6

"""What each cell of the report's CSV export holds, the same on every database.

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return) are prefixed with ``'`` (OWASP's CSV injection advice). Amounts and dates
are written the same way in every language (``10%``, ``5.00 USD``, ``dd/mm/yyyy``) so that
spreadsheets read them as data. Both export paths (``pg.csv_blocks``, ``portable.csv_blocks``)
follow these rules; ``tests/promocodes/test_report.py`` compares them.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.utils.translation import gettext as _

from sites.models import SessionKind

from .models import DiscountType, Status

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows, never runs."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def format_discount(discount_type: str, value: Decimal, currency: str) -> str:
    if discount_type == DiscountType.PERCENT:
        return f"{Decimal(value).normalize():f}%"
    return f"{Decimal(value):.2f} {currency}"


def header() -> list[str]:
    return [
        _("Code"),
        _("Recipient"),
        _("Email"),
        _("Discount"),
        _("Applicable to"),
        _("Uses"),
        _("Allowed uses"),
        _("Created"),
        _("Expiration date"),
        _("Status"),
    ]


def status_labels() -> dict[str, str]:
    """Status value -> its label in the active language."""
    return {value: str(label) for value, label in Status.choices}


def kind_labels() -> dict[str, str]:
    """Session kind value -> its label in the active language."""
    return {value: str(label) for value, label in SessionKind.choices}


# The same streamer lives in payments/transactions.py (its own CSV export): a shared CSV
# helper on the ground floor is planned to replace both.
class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def writer():
    """A ``csv.writer`` whose ``writerow`` returns the formatted line."""
    return csv.writer(_Echo(), lineterminator="\n")

"""What each cell of the report's CSV export holds, the same on every database.

Free-text cells go through ``sites.csv.safe_cell`` (or its SQL twin in ``pg``, built on the
same ``FORMULA_TRIGGERS``): a spreadsheet shows them, never runs them. Amounts and dates
are written the same way in every language (``10%``, ``5.00 USD``, ``dd/mm/yyyy``) so that
spreadsheets read them as data. Both export paths (``pg.csv_blocks``, ``portable.csv_blocks``)
follow these rules; ``tests/promocodes/test_report.py`` compares them.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from sites.models import SessionKind

from .models import DiscountType, Status

# PostgreSQL's COPY ends its lines with a bare newline: the portable path writes the same.
CSV_LINE_END = "\n"


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

"""Dates and times as the console shows them: the active language's formats
(``webexcommerce/formats/<language>/formats.py``: dd/mm/yyyy and dd/mm/yyyy HH:MM in English
and French alike). Templates use the same formats by name: ``|date:"SHORT_DATE_FORMAT"``,
``|date:"SHORT_DATETIME_FORMAT"``. CSV files have their own fixed formats (``sites.csv``)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.utils import formats


def format_date(value: date | None) -> str:
    """A day, ``""`` for none."""
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def format_datetime(value: datetime | None, tz: tzinfo) -> str:
    """An instant as the local date and time of ``tz`` (a site's time zone), ``""`` for none."""
    return formats.date_format(value.astimezone(tz), "SHORT_DATETIME_FORMAT") if value else ""

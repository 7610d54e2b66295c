"""The dates and times the product accepts: one range, its checks, and the form fields.

PostgreSQL stores years from 4713 BC to 294276; Python reads years 1 to 9999 only. A value
typed as 31/12/9999 23:59 in a site west of UTC is year 10000 in UTC: stored, then unreadable
by every page that loads the row. So every date a person gives (a session's start, a promo
code's expiry, a report's day) lies in ``FIRST_DAY`` … ``LAST_DAY``, read as a day of the
site's time zone, and nothing else in the product defines a range.

Contracts:

``validate_day(day)``
    ValidationError (plain words, code ``date_range``) unless ``FIRST_DAY <= day <= LAST_DAY``.
``validate_local_moment(moment, tz)``
    The same check on the day ``moment`` falls on in ``tz`` (the site's time zone).
``validate_moment(moment)`` (``is_storable_moment`` as a predicate)
    The check a model field can make without knowing the site: ``moment`` lies between the
    first day's start and the last day's end in *some* time zone (UTC−12 … UTC+14, so a day
    of margin on each side). ``moments_in_range(name)`` is the same bound as a ``Q`` for a
    database CheckConstraint, ``days_in_range(name)`` the day range's.
``DayField``, ``SiteDateTimeField``
    The form fields: a dd/mm/yyyy day, and a date and time typed in the site's time zone
    (Django's own field would use the server's); both refuse values outside the range.
``DAY_PLACEHOLDER``, ``MOMENT_PLACEHOLDER``
    How those fields tell what to type, in the reader's language (lazy: ``dd/mm/yyyy`` and
    ``dd/mm/yyyy HH:MM`` in English, ``jj/mm/aaaa`` and ``jj/mm/aaaa hh:mm`` in French); the
    fields' inputs show them, and any page that types a date by hand uses them too.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .date_display import format_date, format_datetime

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
# Any instant that is within the range in some time zone: a day of margin on either side.
FIRST_MOMENT = datetime.combine(FIRST_DAY - timedelta(days=1), time.min, tzinfo=UTC)
END_MOMENT = datetime.combine(LAST_DAY + timedelta(days=2), time.min, tzinfo=UTC)  # excluded

DAY_PLACEHOLDER = _("dd/mm/yyyy")
MOMENT_PLACEHOLDER = _("dd/mm/yyyy HH:MM")

MOMENT_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
]


def _out_of_range() -> ValidationError:
    return ValidationError(
        _("Enter a date between %(first)s and %(last)s."),
        code="date_range",
        params={"first": format_date(FIRST_DAY), "last": format_date(LAST_DAY)},
    )


def validate_day(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _out_of_range()


def validate_local_moment(moment: datetime, tz: zoneinfo.ZoneInfo) -> None:
    try:
        day = moment.astimezone(tz).date()
    except OverflowError:
        raise _out_of_range() from None
    validate_day(day)


def is_storable_moment(moment: datetime) -> bool:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return FIRST_MOMENT <= moment < END_MOMENT


def validate_moment(moment: datetime) -> None:
    if not is_storable_moment(moment):
        raise _out_of_range()


def days_in_range(name: str) -> Q:
    """The day range as a condition on the date column ``name`` (null passes)."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": FIRST_DAY, f"{name}__lte": LAST_DAY}
    )


def moments_in_range(name: str) -> Q:
    """The stored instants' range as a condition on the datetime column ``name``."""
    return Q(**{f"{name}__isnull": True}) | Q(
        **{f"{name}__gte": FIRST_MOMENT, f"{name}__lt": END_MOMENT}
    )


def format_moment(value: datetime | None, tz: zoneinfo.ZoneInfo) -> str:
    """A date and time as the console shows it (the locale's format) in the time zone ``tz``."""
    return format_datetime(value, tz)


class DayField(forms.DateField):
    """A day typed dd/mm/yyyy (or yyyy-mm-dd), within the product's range."""

    default_validators = [validate_day]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", settings.DATE_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(attrs={"placeholder": DAY_PLACEHOLDER, "autocomplete": "off"}),
        )
        super().__init__(**kwargs)


class SiteDateTimeField(forms.DateTimeField):
    """A date and time typed in the site's time zone ``tz``, within the product's range.

    A time that does not exist there (the hour skipped when clocks go forward) is a field
    error, like a malformed one.
    """

    def __init__(self, *, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        kwargs.setdefault("input_formats", MOMENT_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": MOMENT_PLACEHOLDER, "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(self.tz):
            try:
                moment = super().to_python(value)
            except OverflowError:
                raise _out_of_range() from None
        if moment is not None:
            validate_local_moment(moment, self.tz)
        return moment

    def prepare_value(self, value):
        if hasattr(value, "astimezone") and timezone.is_aware(value):
            return format_moment(value, self.tz)
        return value

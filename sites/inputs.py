"""What people send, parsed once: ids, id lists, flags, keyset cursors and text.

Every value read from a query string or a POST body goes through here (dates through
``sites.dates``), so that a value the database cannot hold never reaches it: a 20-digit id
overflows SQLite's integers, ``abc`` is no id at all, a NUL byte is refused by PostgreSQL and
stored as-is by SQLite. What each helper does with such a value is its contract:

``parse_int(text, minimum, maximum)``, ``parse_id(text)``
    The integer, or ``None`` when the text is not plain ASCII digits within the bounds.
``parse_ids(values, limit)``
    The valid ids among ``values`` (the others are ignored: they match no row anyway).
``parse_flag(text)``
    ``True`` for ``1``, ``true``, ``yes``, ``on`` (any case), else ``False``.
``encode_cursor(moment, pk)`` / ``decode_cursor(text)``
    A keyset position ``(moment, pk)``; ``None`` for anything this module did not write.
``IdField``, ``IdListField``, ``IdChoicesMixin``
    The form fields: one id (a field error when invalid), a lenient list of ids, and the
    mixin that makes a model choice field refuse an impossible id as "not a valid choice"
    instead of sending it to the database.
``TextInputsForm``, ``TextInputsModelForm``
    The base of every form of the project: each text field refuses control characters (NUL,
    escape, bell, …; tab and line breaks are allowed in multi-line fields only).
``valid_pks(model, values, limit)``
    The values among ``values`` that can be ``model``'s primary key (``parse_id`` for an
    integer key, the field's ``to_python`` and no control character for any other).
``ListInputsAdmin``
    The ModelAdmin mixin whose list takes no impossible value: the rows ticked for an action
    that no row can have are dropped (Django would filter on ``abc`` and fail), and a list
    asked with a control character in its parameters (PostgreSQL refuses a NUL) or a date
    no calendar holds is shown unfiltered, with a message. Every ModelAdmin of the ops site
    gets it (``sites.ops_admin``).
``InputsAdmin``
    The base of every ModelAdmin of the project: ``ListInputsAdmin``, and its forms are
    ``TextInputsModelForm``.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from . import dates

# The largest id any table holds: BigAutoField, and SQLite's 64-bit integers.
MAX_ID = 2**63 - 1
MAX_INT_DIGITS = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR_MICROS = (
    (dates.FIRST_MOMENT - _EPOCH) // _MICROSECOND,
    (dates.END_MOMENT - _EPOCH) // _MICROSECOND - 1,
)


# --- Numbers, ids, flags ---------------------------------------------------------------------


def parse_int(text, minimum: int, maximum: int) -> int | None:
    """``int(text)`` when ``text`` is ASCII digits (an optional ``-``) within the bounds."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return None
    text = text.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or len(digits) > MAX_INT_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(text) -> int | None:
    return parse_int(text, 1, MAX_ID)


def parse_ids(values, limit: int = 1000) -> list[int]:
    """The valid ids among the first ``limit`` values; a single string counts as one value."""
    if values is None:
        return []
    if isinstance(values, str | int):
        values = [values]
    ids = (parse_id(value) for value in list(values)[:limit])
    return [value for value in ids if value is not None]


def parse_flag(text) -> bool:
    return isinstance(text, str) and text.strip().lower() in ("1", "true", "yes", "on")


# --- Keyset cursors --------------------------------------------------------------------------


def encode_cursor(moment: datetime, pk: int) -> str:
    return f"{(moment - _EPOCH) // _MICROSECOND}-{pk}"


def decode_cursor(text) -> tuple[datetime, int] | None:
    """``(moment, pk)`` of a cursor ``encode_cursor`` wrote; ``None`` for anything else."""
    if not isinstance(text, str) or len(text) > 2 * MAX_INT_DIGITS + 2:
        return None
    micros, _sep, pk = text.rpartition("-")
    micros_value = parse_int(micros, *_CURSOR_MICROS)
    pk_value = parse_id(pk)
    if micros_value is None or pk_value is None:
        return None
    return _EPOCH + micros_value * _MICROSECOND, pk_value


# --- Form fields -----------------------------------------------------------------------------


class IdField(forms.IntegerField):
    """One id: a positive integer a table can hold (else "Enter a whole number.")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_int(value, -MAX_ID, MAX_ID)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class IdListField(forms.Field):
    """Ticked rows of a report: the valid ids among the values (at most ``limit``).

    Lenient on purpose: the rows are looked up within the site afterwards, so an id that is
    malformed or too large would match nothing; it is dropped here instead of reaching the
    database (where SQLite cannot even compare it).
    """

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int = 1000, **kwargs):
        self.limit = limit
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_ids(value, self.limit)


class IdChoicesMixin:
    """For a ``ModelMultipleChoiceField``: a value that is no possible id is "not a valid
    choice" before any query (Django would pass a 20-digit number to the database)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


# --- Text ------------------------------------------------------------------------------------

_LINE_BREAKS = frozenset("\t\n\r")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters of ``text`` (Unicode Cc, and lone surrogates, which no database
    stores), tab and line breaks excepted when ``multiline``."""
    allowed = _LINE_BREAKS if multiline else frozenset()
    return [
        ch
        for ch in text
        if ch not in allowed and (ch < " " or unicodedata.category(ch) in ("Cc", "Cs"))
    ]


@deconstructible
class ControlCharacterValidator:
    """Refuses text holding a control character (see ``control_characters``)."""

    message = _("Remove the invisible control characters (such as NUL) from this text.")
    code = "control_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str) and control_characters(value, multiline=self.multiline):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline


def guard_text_field(field: forms.Field) -> None:
    """Give a text field the control-character check (once; it replaces Django's NUL-only
    check, which would report a NUL twice)."""
    if not isinstance(field, forms.CharField):
        return
    if any(isinstance(v, ControlCharacterValidator) for v in field.validators):
        return
    field.validators = [
        v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ]
    field.validators.append(ControlCharacterValidator(isinstance(field.widget, forms.Textarea)))


class TextInputsForm:
    """Mix into every form: each text field — including fields a subclass adds in its
    ``__init__`` — refuses control characters with a field error."""

    def _clean_fields(self):
        for field in self.fields.values():
            guard_text_field(field)
        super()._clean_fields()


class TextInputsModelForm(TextInputsForm, forms.ModelForm):
    """The ModelForm base of the ops admin's pages (``ModelAdmin.form``)."""


def _key_field(model) -> models.Field:
    """The field that holds ``model``'s primary key values (a one-to-one key's target's)."""
    field = model._meta.pk
    while field.remote_field is not None:
        field = field.target_field
    return field


def valid_pks(model, values, limit: int = 1000) -> list:
    """The first ``limit`` values that can be a primary key of ``model``, as that key's Python
    values; the others (``abc`` for an integer key, a 30-digit number, a NUL) match no row and
    are dropped before they reach the database."""
    if values is None:
        return []
    if isinstance(values, str | int):
        values = [values]
    field = _key_field(model)
    if isinstance(field, models.IntegerField):
        return parse_ids(values, limit)
    kept = []
    for value in list(values)[:limit]:
        if isinstance(value, str) and control_characters(value):
            continue
        try:
            kept.append(field.to_python(value))
        except ValidationError:
            continue
    return kept


class ListInputsAdmin:
    """Mix into a ``ModelAdmin``: its list (the changelist) takes no impossible value.

    * The rows ticked for an action keep only the values that can be a primary key
      (``valid_pks``). With none left, Django answers as for an empty selection: back to the
      list with "Items must be selected…", nothing changed.
    * A list asked with a control character in a parameter (``?status__exact=%00``,
      ``?q=%00``), or a date-hierarchy year no calendar holds (30 digits: Django lets the
      ``OverflowError`` through), is refused like Django's own wrong lookups: back to the
      unfiltered list (``?e=1``), here with a message saying why.
    """

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and ACTION_CHECKBOX_NAME in request.POST:
            ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
            request.POST = request.POST.copy()
            request.POST.setlist(
                ACTION_CHECKBOX_NAME,
                [str(pk) for pk in valid_pks(self.model, ticked, len(ticked))],
            )
        return super().changelist_view(request, extra_context)

    def get_changelist_instance(self, request):
        if any(
            control_characters(name) or control_characters(value)
            for name, values in request.GET.lists()
            for value in values
        ):
            self._refuse_filters(request)
        try:
            return super().get_changelist_instance(request)
        except OverflowError as exc:
            self._refuse_filters(request, exc)

    def _refuse_filters(self, request, cause: Exception | None = None):
        messages.warning(
            request, _("The list could not be filtered that way: it is shown unfiltered.")
        )
        raise IncorrectLookupParameters(cause) from cause


class InputsAdmin(ListInputsAdmin, admin.ModelAdmin):
    """A ModelAdmin of the ops admin whose forms and actions take no impossible value."""

    form = TextInputsModelForm

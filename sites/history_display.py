"""History as people read it: each revision in the reader's language and the site's time zone.

``entry(revision, tz)`` turns a stored ``Revision`` (format in ``sites.history``) into text
for the active language: the area's name, the summary, each change's label, choice names,
dates (``dd/mm/yyyy``, times in ``tz``), decimals and numbers localised, booleans as
Yes/No, empty values as "(empty)". Rows written before values were stored as data hold text
and are shown as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import dateformat, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .history_areas import area_name
from .models import Revision
from .money import format_number

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
EMPTY = _("(empty)")


@dataclass(frozen=True)
class Line:
    label: str
    old: str = ""
    new: str = ""
    secret: bool = False


@dataclass(frozen=True)
class Entry:
    revision: Revision
    when: str
    when_iso: str
    who: str
    area: str
    summary: str
    lines: list[Line]


def format_moment(moment: datetime, tz: tzinfo) -> str:
    return dateformat.format(timezone.localtime(moment, tz), DATETIME_FORMAT)


def label(msgid: str) -> str:
    """A field label in the active language.

    Form labels derived from a model field are the capitalised verbose name, so a
    capitalised msgid missing from the catalog is tried again in lower case.
    """
    text = gettext(msgid)
    if text == msgid and msgid[:1].isupper():
        lowered = msgid[:1].lower() + msgid[1:]
        translated = gettext(lowered)
        if translated != lowered:
            text = translated
    return capfirst(text)


def _scalar(value: Any, kind: str | None, choices: dict[str, str], tz: tzinfo) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if str(value) in choices:
        return gettext(choices[str(value)])
    try:
        if kind == "date":
            return dateformat.format(date.fromisoformat(value), DATE_FORMAT)
        if kind == "datetime":
            return format_moment(datetime.fromisoformat(value), tz)
        if kind == "decimal":
            return format_number(Decimal(value))
    except (TypeError, ValueError, InvalidOperation):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def value_text(value: Any, change: dict, tz: tzinfo) -> str:
    """One stored value in the active language."""
    if value is None or value == "" or value == []:
        return str(EMPTY)
    kind, choices = change.get("type"), change.get("choices") or {}
    if isinstance(value, dict) and {"from", "to"} <= value.keys():
        first = _scalar(value["from"], kind, choices, tz)
        return f"{first} – {_scalar(value['to'], kind, choices, tz)}"
    if isinstance(value, list):
        return ", ".join(_scalar(item, kind, choices, tz) for item in value)
    return _scalar(value, kind, choices, tz)


def change_line(change: dict, tz: tzinfo) -> Line:
    name = label(str(change.get("label") or change.get("field") or ""))
    if change.get("secret"):
        return Line(name, secret=True)
    return Line(
        name,
        old=value_text(change.get("old"), change, tz),
        new=value_text(change.get("new"), change, tz),
    )


def summary_text(revision: Revision) -> str:
    """The summary in the active language when it was written in every language."""
    texts = revision.summaries or {}
    language = translation.get_language() or ""
    return texts.get(language) or texts.get(language.split("-")[0]) or revision.summary


def entry(revision: Revision, tz: tzinfo) -> Entry:
    actor = revision.actor
    return Entry(
        revision=revision,
        when=format_moment(revision.created_at, tz),
        when_iso=timezone.localtime(revision.created_at, tz).isoformat(),
        who=actor.get_username() if actor else "",
        area=area_name(revision.area),
        summary=summary_text(revision),
        lines=[change_line(change, tz) for change in revision.changes or []],
    )

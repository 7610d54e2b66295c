"""Revisions: the one way every Update of a site's configuration is recorded.

What changed is stored as data, never as text in the author's language. A change is::

    {"field": name, "label": msgid, "old": value, "new": value}
    + "type": "date" | "datetime" | "decimal"   when the values are ISO dates or decimal strings
    + "choices": {value: msgid}                   for a choice field (only the values used)

    {"field": name, "label": msgid, "secret": true}   for a secret: no value at all

Values are JSON: text, numbers, booleans, lists, ``null``, ISO dates, decimals as strings, and
``{"from": a, "to": b}`` when many rows had different old values (``Span``). ``label`` and the
choice names are untranslated msgids; ``sites.history_display`` renders them in the reader's
language and the site's time zone.

A summary is either plain text (stored as given) or a callable returning text: it is then
rendered in every language of ``settings.LANGUAGES`` when written, so every reader gets it
in their language (``Revision.summaries``).

Nothing is written for a no-op: changes whose old and new values are the same are dropped, and
a revision with neither a change nor a summary is not written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from .models import Revision, Site

SUMMARY_MAX = 300

Summary = str | Callable[[], str]


@dataclass(frozen=True)
class Span:
    """The old values of many rows changed at once, from the first to the last."""

    first: Any
    last: Any


def msgid(label: Any) -> str:
    """The untranslated text of a label (a ``gettext_lazy`` string gives its msgid)."""
    if isinstance(label, Promise):
        with translation.override(None):
            return str(label)
    return str(label)


def _stored(value: Any) -> tuple[Any, str | None]:
    """A value as JSON, with the type needed to render it again (``None`` when JSON says it)."""
    if isinstance(value, Span):
        if value.first == value.last:
            return _stored(value.first)
        first, kind = _stored(value.first)
        last, _kind = _stored(value.last)
        return {"from": first, "to": last}, kind
    if isinstance(value, models.Model):
        return value.pk, None
    if isinstance(value, Promise):
        return str(value), None
    if isinstance(value, datetime):
        return value.isoformat(), "datetime"
    if isinstance(value, date):
        return value.isoformat(), "date"
    if isinstance(value, Decimal):
        return str(value), "decimal"
    if isinstance(value, list | tuple | set | frozenset):
        items = [_stored(item) for item in value]
        kinds = {kind for _item, kind in items if kind}
        return [item for item, _kind in items], (kinds.pop() if len(kinds) == 1 else None)
    return value, None


def _comparable(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_comparable(item) for item in value), key=repr)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _flat_choices(choices: Iterable) -> dict[str, Any]:
    flat = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.update(_flat_choices(label))
        else:
            flat[str(value)] = label
    return flat


def _describe(source: Any) -> tuple[Any, dict[str, Any]]:
    """(label, choices) of a model field, a form field, or a bare label."""
    if isinstance(source, models.Field):
        return source.verbose_name, _flat_choices(source.flatchoices or ())
    if isinstance(source, forms.Field):
        choices = getattr(source, "choices", None)
        if choices is None or isinstance(source, forms.ModelChoiceField):
            return source.label, {}
        return source.label, _flat_choices(choices)
    return source, {}


def _values_of(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value.get("from"), value.get("to")]
    if isinstance(value, list):
        return value
    return [value]


def field_change(source: Any, old: Any, new: Any, *, field: str = "") -> dict:
    """One change of ``source`` (a model field, a form field or a label) from old to new.

    Values are the stored values (choice codes, dates, decimals…), a ``Span`` for many rows'
    old values; the label and choice names are kept untranslated.
    """
    label, choices = _describe(source)
    name = field or getattr(source, "name", "") or msgid(label)
    old_value, old_kind = _stored(old)
    new_value, new_kind = _stored(new)
    change = {"field": name, "label": msgid(label) if label else name}
    change.update(old=old_value, new=new_value)
    kind = new_kind or old_kind
    if kind:
        change["type"] = kind
    used = {str(v) for v in _values_of(old_value) + _values_of(new_value) if v is not None}
    names = {value: msgid(choices[value]) for value in sorted(used) if value in choices}
    if names:
        change["choices"] = names
    return change


def secret_change(source: Any, *, field: str = "") -> dict:
    label, _choices = _describe(source)
    name = field or getattr(source, "name", "")
    return {"field": name, "label": msgid(label) if label else name, "secret": True}


def diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    labels: Mapping[str, Any],
    secret_fields: Iterable[str] = (),
) -> list[dict]:
    """The changed fields between two snapshots of stored values, secrets reduced to "changed".

    ``labels`` maps each field name to its label, its model field or its form field (a field
    also gives the choice names).
    """
    secrets = set(secret_fields)
    changes = []
    for name, source in labels.items():
        old, new = before.get(name), after.get(name)
        if _comparable(old) == _comparable(new):
            continue
        if name in secrets:
            changes.append(secret_change(source, field=name))
        else:
            changes.append(field_change(source, old, new, field=name))
    return changes


def _is_change(change: dict) -> bool:
    return bool(change.get("secret")) or _comparable(change.get("old")) != _comparable(
        change.get("new")
    )


def _summaries(summary: Summary) -> tuple[str, dict[str, str]]:
    """The summary in the active language, and in every language when it is a callable."""
    if not callable(summary):
        return str(summary)[:SUMMARY_MAX], {}
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(summary())[:SUMMARY_MAX]
    return str(summary())[:SUMMARY_MAX], texts


def build(
    site: Site | int, actor, area: str, changes: list[dict], summary: Summary = ""
) -> Revision | None:
    """The unsaved revision (for ``bulk_create``), or ``None`` for a no-op."""
    changes = [{**c, "label": msgid(c.get("label", ""))} for c in changes if _is_change(c)]
    if not changes and not summary:
        return None
    text, texts = _summaries(summary)
    site_id = site.pk if isinstance(site, Site) else site
    return Revision(
        site_id=site_id, actor=actor, area=area, changes=changes, summary=text, summaries=texts
    )


def record(
    site: Site | int, actor, area: str, changes: list[dict], summary: Summary = ""
) -> Revision | None:
    """Write one revision; nothing when nothing changed and no summary is given."""
    revision = build(site, actor, area, changes, summary)
    if revision is not None:
        revision.save()
    return revision


class RevisionRow(NamedTuple):
    """What ``record`` takes, for ``record_many``; ``site`` may be a site's id."""

    site: Site | int
    actor: Any
    area: str
    changes: list[dict]
    summary: Summary = ""


def record_many(rows: Iterable[RevisionRow]) -> list[Revision]:
    """Write the revisions of many sites with one INSERT (the rows ``record`` would write,
    skipping the same no-ops), so that a sweep over every site costs one statement."""
    revisions = [r for r in (build(*row) for row in rows) if r is not None]
    return Revision.objects.bulk_create(revisions) if revisions else []


def _saved_value(form, instance, name: str) -> Any:
    try:
        model_field = instance._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field
        return form.cleaned_data.get(name)
    if model_field.concrete and not model_field.many_to_many:
        return model_field.value_from_object(instance)
    return form.cleaned_data.get(name)


def save_form_with_revision(form, site: Site, actor, area: str, secret_fields: Iterable[str] = ()):
    """Save a valid ModelForm and record what it changed, in one step (nothing if nothing did).

    The snapshot is taken from the instance as loaded (``form.initial``) and as saved, so the
    revision holds exactly the fields this form edits, as stored values.
    """
    fields = dict(form.fields)
    before = {name: form.initial.get(name) for name in fields}
    instance = form.save()
    after = {name: _saved_value(form, instance, name) for name in fields}
    record(site, actor, area, diff(before, after, fields, secret_fields))
    return instance

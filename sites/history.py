"""Revisions: the one way every Update of a site's configuration is recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .models import Revision, Site


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    labels: Mapping[str, str],
    secret_fields: Iterable[str] = (),
) -> list[dict]:
    """The changed fields between two snapshots, secrets reduced to "changed"."""
    secrets = set(secret_fields)
    changes = []
    for name, label in labels.items():
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in secrets:
            changes.append({"field": name, "label": str(label), "secret": True})
        else:
            changes.append(
                {"field": name, "label": str(label), "old": _display(old), "new": _display(new)}
            )
    return changes


def record(site: Site, actor, area: str, changes: list[dict], summary: str = "") -> Revision | None:
    """Write one revision; nothing when nothing changed and no summary is given."""
    revision = _revision(RevisionRow(site, actor, area, changes, summary))
    if revision is not None:
        revision.save(force_insert=True)
    return revision


class RevisionRow(NamedTuple):
    """What ``record`` takes, for ``record_many``; ``site`` may be a site's id."""

    site: Site | int
    actor: Any
    area: str
    changes: list[dict]
    summary: str = ""


def record_many(rows: Iterable[RevisionRow]) -> list[Revision]:
    """Write the revisions of many sites with one INSERT (the rows ``record`` would write,
    skipping the same empty ones), so that a sweep over every site costs one statement."""
    revisions = [r for r in map(_revision, rows) if r is not None]
    return Revision.objects.bulk_create(revisions) if revisions else []


def _revision(row: RevisionRow) -> Revision | None:
    """The unsaved row of ``record`` and ``record_many``; none when there is nothing to say."""
    site, actor, area, changes, summary = row
    if not changes and not summary:
        return None
    where = {"site_id": site} if isinstance(site, int) else {"site": site}
    return Revision(actor=actor, area=area, changes=changes, summary=summary[:300], **where)


def save_form_with_revision(form, site: Site, actor, area: str, secret_fields: Iterable[str] = ()):
    """Save a valid ModelForm and record what it changed, in one step.

    The snapshot is taken from the instance as loaded (``form.initial``), so the revision
    holds exactly the fields this form edits.
    """
    labels = {name: form.fields[name].label or name for name in form.fields}
    before = {name: form.initial.get(name) for name in labels}
    instance = form.save()
    after = {name: form.cleaned_data.get(name) for name in labels}
    record(site, actor, area, diff(before, after, labels, secret_fields))
    return instance

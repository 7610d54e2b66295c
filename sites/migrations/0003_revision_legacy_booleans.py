"""Rows written before History stored values as data kept booleans as "✓"/"✗" text: store
them as booleans, so they read Yes/No in each reader's language. Other text is kept as
stored (it is shown as stored)."""

from django.db import migrations

LEGACY_BOOLEANS = {"✓": True, "✗": False}


def _as_data(change: dict) -> dict:
    if change.get("secret"):
        return change
    old, new = change.get("old"), change.get("new")
    if old in LEGACY_BOOLEANS and new in LEGACY_BOOLEANS:
        return {**change, "old": LEGACY_BOOLEANS[old], "new": LEGACY_BOOLEANS[new]}
    return change


def booleans_as_data(apps, schema_editor):
    Revision = apps.get_model("sites", "Revision")
    for revision in Revision.objects.only("changes").iterator(chunk_size=1000):
        changes = [_as_data(change) for change in revision.changes or []]
        if changes != revision.changes:
            Revision.objects.filter(pk=revision.pk).update(changes=changes)


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_revision_summaries")]

    operations = [migrations.RunPython(booleans_as_data, migrations.RunPython.noop)]

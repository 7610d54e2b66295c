"""A partial index of the rare statuses replaces the status-and-expiry index.

A bulk update (a sweep, an extend, a delete: 100,000 rows at a time) cannot keep its new row
versions on their pages, so each new version gets an entry in every index whose condition it
meets. ``(site, service, status, expires_on)`` took one for every row written: four indexes
against the minimal table's three. Its replacement holds only codes that are not active,
``(site, service, status, created_at, id) WHERE status <> 'active'``: generated and extended
codes (active) write no entry there, and a rare status is still one ordered range for the
report's page and count. The expiry filter and the sweep read the report index or the table.

Safe on a large table: on PostgreSQL the new index is built ``CONCURRENTLY`` (writes go on
meanwhile) before the old one is dropped ``CONCURRENTLY``, outside a transaction
(``atomic = False``); an invalid index left by an interrupted build is dropped first, so the
migration may simply be run again. Other databases (the SQLite demo) take the plain
operations.
"""

from django.db import migrations, models

TABLE = "promocodes_promocode"
NEW = "promocode_rare_status_idx"
NEW_SQL = "(site_id, service, status, created_at, id) WHERE status <> 'active'"
OLD = "promocode_status_expiry_idx"
OLD_SQL = "(site_id, service, status, expires_on)"


def rare_status_index() -> models.Index:
    return models.Index(
        fields=["site", "service", "status", "created_at", "id"],
        condition=~models.Q(status="active"),
        name=NEW,
    )


def status_expiry_index() -> models.Index:
    return models.Index(fields=["site", "service", "status", "expires_on"], name=OLD)


def _replace_concurrently(schema_editor, create: str, columns: str, drop: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [create]
        )
        invalid = cursor.fetchone()
    if invalid and invalid[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {create}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {create} ON {TABLE} {columns}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _replace_concurrently(schema_editor, NEW, NEW_SQL, OLD)
        return
    model = apps.get_model("promocodes", "PromoCode")
    schema_editor.add_index(model, rare_status_index())
    schema_editor.remove_index(model, status_expiry_index())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _replace_concurrently(schema_editor, OLD, OLD_SQL, NEW)
        return
    model = apps.get_model("promocodes", "PromoCode")
    schema_editor.add_index(model, status_expiry_index())
    schema_editor.remove_index(model, rare_status_index())


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("promocodes", "0012_search_index_off_the_creation_path")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="promocode", name=OLD),
                migrations.AddIndex(model_name="promocode", index=rare_status_index()),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]

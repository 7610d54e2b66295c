"""Trigram (GIN) indexes for the report's "code or recipient contains" filter — PostgreSQL only.

Django's ``icontains`` on PostgreSQL compiles to ``UPPER(col::text) LIKE UPPER('%…%')``; these
indexes are on exactly that expression, so a search stays an index lookup at a million codes.
Other databases (the SQLite demo) skip this migration's work.
"""

from django.db import migrations

TABLE = "promocodes_promocode"
INDEXES = {
    "promocode_code_trgm": "code",
    "promocode_name_trgm": "recipient_name",
    "promocode_email_trgm": "recipient_email",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} "
            f"USING gin ((UPPER(({column})::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("promocodes", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""The search table for "code or recipient contains" — created on PostgreSQL only.

``promocodes_search`` holds ``UPPER(code || US || recipient_name || US || recipient_email)``
per code with a trigram (GIN) index. Statement-level triggers with transition tables keep it
in step with set-based work: one ``INSERT … SELECT`` per inserting statement, an upsert of the
rows whose text changed per updating statement, a delete per deleting statement. Status and
expiry updates therefore leave the trigram index alone (the reason for a table of its own).
On other databases (the SQLite demo) the model is unmanaged and unused.
"""

import django.db.models.deletion
from django.db import migrations, models

TEXT = (
    "UPPER(n.code::text || E'\\x1f' || n.recipient_name::text || E'\\x1f' "
    "|| n.recipient_email::text)"
)

FORWARDS = [
    "DROP INDEX IF EXISTS promocode_search_trgm",
    """
    CREATE TABLE IF NOT EXISTS promocodes_search (
        promo_code_id bigint PRIMARY KEY,
        text text NOT NULL
    )
    """,
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text)
        SELECT n.id, {TEXT} FROM promocodes_new AS n;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text)
        SELECT n.id, {TEXT} FROM promocodes_new AS n JOIN promocodes_old AS o ON o.id = n.id
        WHERE (n.code, n.recipient_name, n.recipient_email)
              IS DISTINCT FROM (o.code, o.recipient_name, o.recipient_email)
        ON CONFLICT (promo_code_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION promocodes_search_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM promocodes_search AS s USING promocodes_old AS o
        WHERE s.promo_code_id = o.id;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS promocodes_search_inserted ON promocodes_promocode",
    "DROP TRIGGER IF EXISTS promocodes_search_updated ON promocodes_promocode",
    "DROP TRIGGER IF EXISTS promocodes_search_deleted ON promocodes_promocode",
    """
    CREATE TRIGGER promocodes_search_inserted AFTER INSERT ON promocodes_promocode
    REFERENCING NEW TABLE AS promocodes_new
    FOR EACH STATEMENT EXECUTE FUNCTION promocodes_search_inserted()
    """,
    """
    CREATE TRIGGER promocodes_search_updated AFTER UPDATE ON promocodes_promocode
    REFERENCING OLD TABLE AS promocodes_old NEW TABLE AS promocodes_new
    FOR EACH STATEMENT EXECUTE FUNCTION promocodes_search_updated()
    """,
    """
    CREATE TRIGGER promocodes_search_deleted AFTER DELETE ON promocodes_promocode
    REFERENCING OLD TABLE AS promocodes_old
    FOR EACH STATEMENT EXECUTE FUNCTION promocodes_search_deleted()
    """,
    f"""
    INSERT INTO promocodes_search (promo_code_id, text)
    SELECT n.id, {TEXT} FROM promocodes_promocode AS n
    ON CONFLICT (promo_code_id) DO NOTHING
    """,
    "CREATE INDEX IF NOT EXISTS promocodes_search_trgm ON promocodes_search "
    "USING gin (text gin_trgm_ops)",
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS promocodes_search_inserted ON promocodes_promocode",
    "DROP TRIGGER IF EXISTS promocodes_search_updated ON promocodes_promocode",
    "DROP TRIGGER IF EXISTS promocodes_search_deleted ON promocodes_promocode",
    "DROP FUNCTION IF EXISTS promocodes_search_inserted()",
    "DROP FUNCTION IF EXISTS promocodes_search_updated()",
    "DROP FUNCTION IF EXISTS promocodes_search_deleted()",
    "DROP TABLE IF EXISTS promocodes_search",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARDS:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARDS:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("promocodes", "0004_single_search_index")]

    operations = [
        migrations.CreateModel(
            name="PromoCodeSearch",
            fields=[
                (
                    "promo_code",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="promocodes.promocode",
                    ),
                ),
                ("text", models.TextField()),
            ],
            options={"db_table": "promocodes_search", "managed": False},
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

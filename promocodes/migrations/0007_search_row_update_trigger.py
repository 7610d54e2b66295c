"""Keep the search text in step on UPDATE with a row trigger limited to its three columns.

A statement trigger with transition tables (0005) ran on every bulk status or expiry update —
materialising 100,000 old and new rows to find that no text had changed. A row trigger
``AFTER UPDATE OF code, recipient_name, recipient_email`` does not fire at all for an UPDATE
that does not set those columns. PostgreSQL only.
"""

from django.db import migrations

TEXT = (
    "UPPER(NEW.code::text || E'\\x1f' || NEW.recipient_name::text || E'\\x1f' "
    "|| NEW.recipient_email::text)"
)

FORWARDS = [
    "DROP TRIGGER IF EXISTS promocodes_search_updated ON promocodes_promocode",
    "DROP FUNCTION IF EXISTS promocodes_search_updated()",
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_row_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text) VALUES (NEW.id, {TEXT})
        ON CONFLICT (promo_code_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER promocodes_search_updated
    AFTER UPDATE OF code, recipient_name, recipient_email ON promocodes_promocode
    FOR EACH ROW
    WHEN (OLD.code IS DISTINCT FROM NEW.code
          OR OLD.recipient_name IS DISTINCT FROM NEW.recipient_name
          OR OLD.recipient_email IS DISTINCT FROM NEW.recipient_email)
    EXECUTE FUNCTION promocodes_search_row_updated()
    """,
]

OLD_TEXT = (
    "UPPER(n.code::text || E'\\x1f' || n.recipient_name::text || E'\\x1f' "
    "|| n.recipient_email::text)"
)

BACKWARDS = [
    "DROP TRIGGER IF EXISTS promocodes_search_updated ON promocodes_promocode",
    "DROP FUNCTION IF EXISTS promocodes_search_row_updated()",
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text)
        SELECT n.id, {OLD_TEXT} FROM promocodes_new AS n
        JOIN promocodes_old AS o ON o.id = n.id
        WHERE (n.code, n.recipient_name, n.recipient_email)
              IS DISTINCT FROM (o.code, o.recipient_name, o.recipient_email)
        ON CONFLICT (promo_code_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER promocodes_search_updated AFTER UPDATE ON promocodes_promocode
    REFERENCING OLD TABLE AS promocodes_old NEW TABLE AS promocodes_new
    FOR EACH STATEMENT EXECUTE FUNCTION promocodes_search_updated()
    """,
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("promocodes", "0006_audit_pointers_without_constraints")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

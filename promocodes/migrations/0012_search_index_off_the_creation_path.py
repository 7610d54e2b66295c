"""Generated codes reach the search table after their batch, not inside its inserts.

The statement trigger of 0005 filled ``promocodes_search`` inside every INSERT: about half of
the time of generating codes went into the trigram index. Now only codes inserted outside a
creation batch (``batch_id IS NULL``: the admin, fixtures) are copied by a row trigger whose
``WHEN`` is checked without calling the function; a batch's codes are copied by the worker
once the batch is finished (``promocodes.search_index``), and until then the report searches
them directly (``CreationBatch.search_indexed``).

Safe on a large table: the triggers and the function are replaced in one transaction (no row
is rewritten); ``search_indexed`` is added to the creation batches (one row per *Create*, not
per code) with a constant default, which PostgreSQL stores without rewriting the table, and
existing batches are marked indexed (their codes were copied by the old trigger). The partial
index is built on that small table; no index of the codes table changes.
"""

from django.db import migrations, models

NEW_TEXT = (
    "UPPER(NEW.code::text || E'\\x1f' || NEW.recipient_name::text || E'\\x1f' "
    "|| NEW.recipient_email::text)"
)
OLD_TEXT = (
    "UPPER(n.code::text || E'\\x1f' || n.recipient_name::text || E'\\x1f' "
    "|| n.recipient_email::text)"
)

FORWARDS = [
    "DROP TRIGGER IF EXISTS promocodes_search_inserted ON promocodes_promocode",
    "DROP FUNCTION IF EXISTS promocodes_search_inserted()",
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_row_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text) VALUES (NEW.id, {NEW_TEXT})
        ON CONFLICT (promo_code_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER promocodes_search_inserted AFTER INSERT ON promocodes_promocode
    FOR EACH ROW WHEN (NEW.batch_id IS NULL)
    EXECUTE FUNCTION promocodes_search_row_inserted()
    """,
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS promocodes_search_inserted ON promocodes_promocode",
    "DROP FUNCTION IF EXISTS promocodes_search_row_inserted()",
    f"""
    CREATE OR REPLACE FUNCTION promocodes_search_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO promocodes_search (promo_code_id, text)
        SELECT n.id, {OLD_TEXT} FROM promocodes_new AS n;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER promocodes_search_inserted AFTER INSERT ON promocodes_promocode
    REFERENCING NEW TABLE AS promocodes_new
    FOR EACH STATEMENT EXECUTE FUNCTION promocodes_search_inserted()
    """,
    # Codes of batches not yet indexed: the old trigger would have copied them.
    f"""
    INSERT INTO promocodes_search (promo_code_id, text)
    SELECT n.id, {OLD_TEXT} FROM promocodes_promocode AS n
    JOIN promocodes_creationbatch AS b ON b.id = n.batch_id
    WHERE NOT b.search_indexed
    ON CONFLICT (promo_code_id) DO NOTHING
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
    dependencies = [("promocodes", "0011_email_language")]

    operations = [
        # Existing batches: their codes are in the search table already.
        migrations.AddField(
            model_name="creationbatch",
            name="search_indexed",
            field=models.BooleanField(default=True, verbose_name="codes in the search index"),
        ),
        migrations.AlterField(
            model_name="creationbatch",
            name="search_indexed",
            field=models.BooleanField(default=False, verbose_name="codes in the search index"),
        ),
        migrations.AddIndex(
            model_name="creationbatch",
            index=models.Index(
                condition=models.Q(search_indexed=False),
                fields=["site"],
                name="promocode_batch_unindexed_idx",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

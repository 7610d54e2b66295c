"""Migration operations the apps share.

``AddIndexConcurrentlyOnPostgreSQL(model_name, index)``
    Django's ``AddIndex``, built without blocking the table's writes on PostgreSQL
    (``CREATE INDEX CONCURRENTLY``; the migration must say ``atomic = False``), and a plain
    ``CREATE INDEX`` on any other database (the SQLite demo). For an index on a table that
    may already be large in production. A concurrent build that fails (a deadlock, a
    cancelled deploy) leaves an INVALID index behind: drop it (``DROP INDEX CONCURRENTLY``)
    and migrate again. Reversed, it drops the index the same way.
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)

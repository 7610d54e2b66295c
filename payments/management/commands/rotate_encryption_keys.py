"""``python manage.py rotate_encryption_keys``: re-encrypt every stored secret with the newest key.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. It reads and writes the stored tokens directly
(SQL), so no secret is decrypted into a model instance on the way.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from payments.fields import EncryptedTextField, rotate


def encrypted_columns():
    """(table, primary key column, [encrypted columns]) for every model that has any."""
    for model in apps.get_models():
        columns = [
            f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if columns:
            yield model._meta.db_table, model._meta.pk.column, columns


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        total = 0
        qn = connection.ops.quote_name
        for table, pk, columns in encrypted_columns():
            selected = ", ".join(qn(c) for c in [pk, *columns])
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {selected} FROM {qn(table)}")  # noqa: S608 - names from models
                for pk_value, *tokens in cursor.fetchall():
                    updates = {c: rotate(t) for c, t in zip(columns, tokens, strict=True) if t}
                    if not updates:
                        continue
                    assignments = ", ".join(f"{qn(c)} = %s" for c in updates)
                    cursor.execute(
                        f"UPDATE {qn(table)} SET {assignments} WHERE {qn(pk)} = %s",  # noqa: S608
                        [*updates.values(), pk_value],
                    )
                    total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} row(s)."))

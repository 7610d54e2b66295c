"""The index the purge of expired idempotency records reads (``created_at``).

Built concurrently on PostgreSQL: the table held every record since the API opened.
"""

from django.db import migrations, models

from sites.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("api", "0001_initial")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="idempotentrequest",
            index=models.Index(fields=["created_at"], name="api_idempotency_created"),
        ),
    ]

"""The partial index of the receipt sweep (``receipts.due_receipts``): paid payments whose
receipt was never sent, by ``paid_at``.

Built concurrently on PostgreSQL: the payments table is the largest of the console.
"""

from django.db import migrations, models

from sites.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payments", "0007_attendee_language"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("receipt_sent_at__isnull", True), ("status", "paid")),
                fields=["paid_at"],
                name="payment_receipt_due",
            ),
        ),
    ]

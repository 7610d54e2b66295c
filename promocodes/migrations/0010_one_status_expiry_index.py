"""One index for status and expiry instead of three (status, expiry, active expiry).

Every status or expiry update that cannot stay on its page (a sweep, an extend or a delete of
100,000 codes) inserts an entry into every index of the table: four indexes instead of six
now. The report's status filter keeps the report order index (common status) or this one
(rare status); the expiry filter and the sweep use this one.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("promocodes", "0009_merge_batch_recovery_and_dates")]

    operations = [
        migrations.RemoveIndex(model_name="promocode", name="promocode_report_status_idx"),
        migrations.RemoveIndex(model_name="promocode", name="promocode_expiring_idx"),
        migrations.RemoveIndex(model_name="promocode", name="promocode_active_expiry_idx"),
        migrations.AddIndex(
            model_name="promocode",
            index=models.Index(
                fields=["site", "service", "status", "expires_on"],
                name="promocode_status_expiry_idx",
            ),
        ),
    ]

"""Expiration dates within 2000–2100 (``sites.dates``): rows outside are brought in by SQL
(never read into Python), then a CHECK keeps them in."""

import datetime
import sites.dates
from django.conf import settings
from django.db import migrations, models

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def clamp_expiry(apps, schema_editor):
    PromoCode = apps.get_model("promocodes", "PromoCode")
    PromoCode.objects.filter(expires_on__lt=EARLIEST).update(expires_on=EARLIEST)
    PromoCode.objects.filter(expires_on__gt=LATEST).update(expires_on=LATEST)


class Migration(migrations.Migration):
    dependencies = [
        ("promocodes", "0007_search_row_update_trigger"),
        ("sites", "0002_dates_in_range"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(clamp_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="promocode",
            name="expires_on",
            field=models.DateField(
                validators=[sites.dates.validate_day], verbose_name="expiration date"
            ),
        ),
        migrations.AddConstraint(
            model_name="promocode",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("expires_on__isnull", True),
                    models.Q(
                        ("expires_on__gte", datetime.date(2000, 1, 1)),
                        ("expires_on__lte", datetime.date(2100, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="promocode_expiry_in_range",
            ),
        ),
    ]

"""Session start times within 2000–2100 (``sites.dates``): rows outside are brought in by SQL
(never read into Python, which cannot hold year 10000 or 1 BC), then a CHECK keeps them in."""

import datetime
import sites.dates
from django.conf import settings
from django.db import migrations, models

EARLIEST = datetime.datetime(2000, 1, 1, 12, 0, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2100, 12, 31, 12, 0, tzinfo=datetime.UTC)


def clamp_start_times(apps, schema_editor):
    Session = apps.get_model("sites", "Session")
    Session.objects.filter(starts_at__lt=EARLIEST).update(starts_at=EARLIEST)
    Session.objects.filter(starts_at__gt=LATEST).update(starts_at=LATEST)


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(clamp_start_times, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="session",
            name="starts_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                validators=[sites.dates.validate_moment],
                verbose_name="start time",
            ),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("starts_at__isnull", True),
                    models.Q(
                        (
                            "starts_at__gte",
                            datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc),
                        ),
                        (
                            "starts_at__lt",
                            datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.timezone.utc),
                        ),
                    ),
                    _connector="OR",
                ),
                name="session_starts_in_range",
            ),
        ),
    ]

"""The Celery application shared by the web processes, the workers and beat."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webexcommerce.settings.local")

app = Celery("webexcommerce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_kwargs) -> None:
    """Workers and beat log through Django's LOGGING (request id, redaction, JSON in
    production) instead of Celery's own handlers; ``--loglevel`` gives way to LOG_LEVEL."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)

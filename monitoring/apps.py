from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        # Connects the Celery signal receivers (request id hand-over, beat stamp, failures).
        from . import celery_signals  # noqa: F401

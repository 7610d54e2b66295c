from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # Registers the OpenAPI description of the key authentication with drf-spectacular.
        from . import schema  # noqa: F401

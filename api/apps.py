from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from sites import navigation as nav
        from sites.history_areas import register_areas

        # Registers the OpenAPI description of the key authentication with drf-spectacular.
        from . import schema  # noqa: F401

        register_areas({"api.keys": _("API keys")})
        nav.register(
            nav.Link(
                nav.SIDEBAR,
                "configuration",
                "api-keys",
                _("API keys"),
                "api-keys",
                40,
                roles=nav.ADMINS,
                requires_provisioning=False,
                active=nav.on_section("api_keys"),
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Sites and people")

    def ready(self) -> None:
        from django.urls import register_converter

        from . import navigation as nav
        from .url_converters import ServiceConverter

        register_converter(ServiceConverter, "service")

        # The headings any app may file links under, and the ground floor's own page.
        nav.register(
            nav.Section(nav.SIDEBAR, "configuration", _("Configuration"), 10),
            nav.Section(nav.SIDEBAR, "reports", _("Reports"), 20),
            nav.Section(nav.HOME, "configuration", _("Configuration"), 10),
            nav.Section(nav.ECOMMERCE, "tabs", _("E-Commerce"), 10),
        )
        for menu in (nav.SIDEBAR, nav.HOME):
            nav.register(
                nav.Link(
                    menu,
                    "configuration",
                    "history",
                    _("History"),
                    "site-history",
                    30,
                    roles=nav.ADMINS,
                    requires_provisioning=False,
                )
            )

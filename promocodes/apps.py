from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromocodesConfig(AppConfig):
    name = "promocodes"
    verbose_name = _("Promotional codes")

    def ready(self) -> None:
        from sites.history_areas import register_areas

        register_areas(
            {
                "promocodes.create": _("Promo codes — create"),
                "promocodes.extend": _("Promo codes — extend expiry"),
                "promocodes.delete": _("Promo codes — delete"),
                "promocodes.expiry": _("Promo codes — automatic expiry"),
                "promocodes.retry": _("Promo codes — retry a creation"),
            }
        )
        from sites import navigation as nav

        nav.register(
            nav.Link(
                nav.SIDEBAR,
                "reports",
                "promocodes-report",
                _("Promotional Codes Report"),
                "promocode-report",
                10,
                # The report of the service being looked at; Webex Events elsewhere.
                url_args=lambda context: (context.get("service") or "events",),
                active=nav.on_section("promocodes_report"),
            ),
            # The E-Commerce pages' tabs, after the settings' own (``payments`` registers them).
            nav.Link(
                nav.ECOMMERCE,
                "tabs",
                "promocodes",
                _("Promotional codes"),
                "promocode-create",
                60,
                roles=nav.ADMINS,
                requires_provisioning=False,
                url_args=nav.of_service,
                active=nav.on_section("promocodes"),
            ),
            nav.Link(
                nav.ECOMMERCE,
                "tabs",
                "promocodes_report",
                _("Promotional Codes Report"),
                "promocode-report",
                70,
                requires_provisioning=False,
                url_args=nav.of_service,
                active=nav.on_section("promocodes_report"),
            ),
        )

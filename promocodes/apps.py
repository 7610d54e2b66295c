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
            }
        )

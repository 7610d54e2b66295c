"""The tabs of a service's E-Commerce page, in the order of the Webex administration pages.

Each feature adds its tab here; the layout template renders whatever this list holds.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    url_name: str


ECOMMERCE_TABS: list[Tab] = [
    Tab("enable", _("Enable e-commerce"), "ecommerce-enable"),
    Tab("mode", _("Operation mode"), "ecommerce-mode"),
    Tab("provider", _("Payment provider"), "provider-list"),
    Tab("business", _("Business information"), "ecommerce-business"),
    Tab("payment_page", _("Payment page"), "ecommerce-payment-page"),
    Tab("promocodes", _("Promotional codes"), "promocode-create"),
    Tab("promocodes_report", _("Promotional Codes Report"), "promocode-report"),
]

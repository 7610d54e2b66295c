from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("E-commerce and payments")

    def ready(self) -> None:
        from sites.history_areas import register_areas

        from .models import ProviderKind

        register_areas(
            {
                "ecommerce.services": _("E-commerce — enabled services"),
                "ecommerce.mode": _("E-commerce — operation mode"),
                "ecommerce.business": _("E-commerce — business information"),
                "ecommerce.payment_page": _("E-commerce — payment page"),
                "ecommerce.provider": _("E-commerce — active payment provider"),
                "transactions.delete_test": _("Transactions — delete test payments"),
                "transactions.refund": _("Transactions — refund"),
            }
            | {
                f"provider.{kind}": format_lazy("{} — {}", _("Payment provider"), label)
                for kind, label in ProviderKind.choices
            }
        )

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
        from . import page_cache, providers, readiness

        page_cache.connect()

        readiness.register_provider_check(providers.active_provider_blockers)
        _register_navigation()


def _register_navigation() -> None:
    """The E-Commerce page of each service, the priced sessions and the Transactions report."""
    from sites import navigation as nav

    nav.register(
        nav.Section(nav.SIDEBAR, "sessions", _("Sessions"), 30),
        nav.Section(nav.HOME, "sessions", _("Sessions and payments"), 20),
    )
    services = (("events", _("Webex Events")), ("training", _("Webex Training")))
    for menu in (nav.SIDEBAR, nav.HOME):
        for order, (service, name) in enumerate(services, start=1):
            nav.register(
                nav.Link(
                    menu,
                    "configuration",
                    f"ecommerce-{service}",
                    format_lazy("{} › {}", name, _("E-Commerce")),
                    "ecommerce-enable",
                    order * 10,
                    roles=nav.ADMINS,
                    requires_provisioning=False,
                    url_args=nav.with_args(service),
                    active=nav.on_service(service),
                )
            )
    sessions = dict(key="sessions", label=_("Priced sessions"), url_name="session-list")
    transactions = dict(key="transactions", label=_("Transactions report"), url_name="transactions")
    nav.register(
        nav.Link(nav.SIDEBAR, "sessions", order=10, active=nav.on_section("sessions"), **sessions),
        nav.Link(
            nav.SIDEBAR,
            "reports",
            order=20,
            active=nav.on_section("transactions"),
            **transactions,
        ),
        nav.Link(nav.HOME, "sessions", order=10, **sessions),
        nav.Link(nav.HOME, "sessions", order=20, **transactions),
    )
    tabs = (
        ("enable", _("Enable e-commerce"), "ecommerce-enable"),
        ("mode", _("Operation mode"), "ecommerce-mode"),
        ("provider", _("Payment provider"), "provider-list"),
        ("business", _("Business information"), "ecommerce-business"),
        ("payment_page", _("Payment page"), "ecommerce-payment-page"),
    )
    for order, (key, label, url_name) in enumerate(tabs, start=1):
        nav.register(
            nav.Link(
                nav.ECOMMERCE,
                "tabs",
                key,
                label,
                url_name,
                order * 10,
                roles=nav.ADMINS,
                requires_provisioning=False,
                url_args=nav.of_service,
                active=nav.on_section(key),
            )
        )

"""The per-site e-commerce configuration shared by Webex Events and Webex Training."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sites.models import Service, Site, SiteScopedQuerySet


class Mode(models.TextChoices):
    TEST = "test", _("Test")
    PRODUCTION = "production", _("Production")


class ProviderKind(models.TextChoices):
    PAYFLOW_PRO = "payflow_pro", _("PayPal Payflow Pro")
    EXPRESS_CHECKOUT_US = "express_checkout_us", _("PayPal Express Checkout (US)")
    EXPRESS_CHECKOUT_CA = "express_checkout_ca", _("PayPal Express Checkout (Canada)")
    WEBSITE_PAYMENTS_PRO_GB = "website_payments_pro_gb", _("PayPal Website Payments Pro (GB)")


class CommerceSettings(models.Model):
    """One per site: "if both services are selected, a change made for one applies to the other"."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="commerce")
    events_enabled = models.BooleanField(Service.EVENTS.label, default=False)
    training_enabled = models.BooleanField(Service.TRAINING.label, default=False)
    mode = models.CharField(
        _("Operation mode"), max_length=16, choices=Mode.choices, default=Mode.TEST
    )
    provider = models.CharField(
        _("Payment provider"), max_length=32, choices=ProviderKind.choices, blank=True
    )
    business_name = models.CharField(_("Business name"), max_length=120, blank=True)
    support_info = models.CharField(_("Support info"), max_length=254, blank=True)
    header_text = models.TextField(_("Header"), max_length=2000, blank=True)
    footer_text = models.TextField(_("Footer"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-commerce settings")
        verbose_name_plural = _("e-commerce settings")

    def __str__(self) -> str:
        return f"{self.site.slug}: {self.get_mode_display()}"

    @classmethod
    def for_site(cls, site: Site) -> CommerceSettings:
        """The site's configuration, created with defaults on first use."""
        return cls.objects.get_or_create(site=site)[0]

    def service_enabled(self, service: str) -> bool:
        return {Service.EVENTS: self.events_enabled, Service.TRAINING: self.training_enabled}[
            service
        ]

    @property
    def is_test(self) -> bool:
        return self.mode == Mode.TEST

"""The settings of the four PayPal providers of a site (docs/administrators.md, providers).

A site keeps the settings of every provider it has configured; ``CommerceSettings.provider``
says which one is active. Payflow-family providers (Payflow Pro, Website Payments Pro GB)
share ``PayflowAccount``; the Express Checkout providers (US, Canada) share
``ExpressCheckoutAccount``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sites.models import Site, SiteScopedQuerySet

from ..fields import EncryptedTextField
from .commerce import ProviderKind


class Card(models.TextChoices):
    VISA = "visa", _("Visa")
    MASTERCARD = "mastercard", _("MasterCard")
    AMEX = "amex", _("AMEX")
    DISCOVER = "discover", _("Discover")
    DINERS = "diners", _("Diners Club")
    JCB = "jcb", _("JCB")
    VISA_DEBIT_ELECTRON = "visa_debit_electron", _("Visa/Debit/Electron")


class AccountType(models.TextChoices):
    WEBSITE_PAYMENTS_PRO = "website_payments_pro", _("Website Payments Pro")
    PAYMENTS_PRO_PAYFLOW_EDITION = (
        "payments_pro_payflow_edition",
        _("PayPal Payments Pro or Website Payments Pro Payflow Edition"),
    )
    PAYFLOW_PRO = "payflow_pro", _("Payflow Pro")
    WPP_PAYFLOW_EDITION = "wpp_payflow_edition", _("Website Payments Pro Payflow Edition")


# For each Payflow-family provider: its account types and the cards each one offers.
CARDS_BY_ACCOUNT_TYPE: dict[str, dict[str, tuple[str, ...]]] = {
    ProviderKind.PAYFLOW_PRO: {
        AccountType.WEBSITE_PAYMENTS_PRO: (),
        AccountType.PAYMENTS_PRO_PAYFLOW_EDITION: (
            Card.VISA,
            Card.MASTERCARD,
            Card.AMEX,
            Card.DISCOVER,
        ),
        AccountType.PAYFLOW_PRO: (
            Card.VISA,
            Card.MASTERCARD,
            Card.AMEX,
            Card.DISCOVER,
            Card.DINERS,
            Card.JCB,
        ),
    },
    ProviderKind.WEBSITE_PAYMENTS_PRO_GB: {
        AccountType.WEBSITE_PAYMENTS_PRO: (),
        AccountType.WPP_PAYFLOW_EDITION: (Card.VISA_DEBIT_ELECTRON, Card.MASTERCARD),
    },
}
# Account types whose form shows the "Express Checkout" checkbox.
EXPRESS_CHECKOUT_OPTION = {(ProviderKind.PAYFLOW_PRO, AccountType.PAYFLOW_PRO)}
PARTNER_BY_KIND = {
    ProviderKind.PAYFLOW_PRO: "PayPal",
    ProviderKind.WEBSITE_PAYMENTS_PRO_GB: "PayPalUK",
}
DEFAULT_CURRENCY = {
    ProviderKind.PAYFLOW_PRO: "USD",
    ProviderKind.WEBSITE_PAYMENTS_PRO_GB: "GBP",
    ProviderKind.EXPRESS_CHECKOUT_US: "USD",
    ProviderKind.EXPRESS_CHECKOUT_CA: "CAD",
}
# The currencies PayPal accepts for payments (PayPal REST currency codes).
PAYPAL_CURRENCIES = (
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CNY",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "HUF",
    "ILS",
    "JPY",
    "MXN",
    "MYR",
    "NOK",
    "NZD",
    "PHP",
    "PLN",
    "SEK",
    "SGD",
    "THB",
    "TWD",
    "USD",
)


class PayflowAccount(models.Model):
    """Payflow Pro or Website Payments Pro (GB) credentials and card options of one site."""

    KINDS = (ProviderKind.PAYFLOW_PRO, ProviderKind.WEBSITE_PAYMENTS_PRO_GB)
    # Access is given by the merchant's own Payflow login, not by a PayPal API permission.
    uses_api_permission = False

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="payflow_accounts")
    kind = models.CharField(max_length=32, choices=[(k.value, k.label) for k in KINDS])
    partner = models.CharField(_("Partner ID"), max_length=64, blank=True)
    vendor = models.CharField(_("Merchant/Vendor login ID"), max_length=64, blank=True)
    user = models.CharField(_("User name"), max_length=64, blank=True)
    password = EncryptedTextField(_("Password"), blank=True)
    account_type = models.CharField(
        _("Account type"), max_length=40, choices=AccountType.choices, blank=True
    )
    # Ticked cards of every account type: the active type's are ``cards_on_offer``, the others
    # are kept for when that type is chosen again.
    cards = models.JSONField(_("Cards accepted"), default=list, blank=True)
    express_checkout = models.BooleanField(_("Express Checkout"), default=False)
    currency = models.CharField(_("Currency"), max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind"], name="one_payflow_account_per_kind")
        ]
        verbose_name = _("Payflow account")
        verbose_name_plural = _("Payflow accounts")

    def __str__(self) -> str:
        return f"{self.site.slug}: {self.get_kind_display()}"

    @property
    def offered_cards(self) -> tuple[str, ...]:
        return CARDS_BY_ACCOUNT_TYPE[self.kind].get(self.account_type, ())

    @property
    def shows_cards(self) -> bool:
        return bool(self.offered_cards)

    @property
    def cards_on_offer(self) -> tuple[str, ...]:
        """The cards the payment page takes: offered by the account type and ticked."""
        return tuple(card for card in self.offered_cards if card in self.cards)

    @property
    def offers_express_checkout(self) -> bool:
        """The Express Checkout option is ticked and the account type offers it."""
        return self.express_checkout and (self.kind, self.account_type) in EXPRESS_CHECKOUT_OPTION

    @property
    def offers_paypal_button(self) -> bool:
        """Website Payments Pro account types pay on PayPal; Payflow Pro with the option too."""
        if self.account_type == AccountType.WEBSITE_PAYMENTS_PRO:
            return True
        return self.offers_express_checkout

    @property
    def partner_value(self) -> str:
        return self.partner or PARTNER_BY_KIND[self.kind]

    def blockers(self) -> list[str]:
        """What is missing before this account can take real payments."""
        reasons = []
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in ("vendor", "user", "password", "account_type")
            if not getattr(self, name)
        ]
        if missing:
            reasons.append(gettext("Missing: %(fields)s.") % {"fields": ", ".join(missing)})
        if self.shows_cards and not self.cards_on_offer:
            reasons.append(gettext("Tick at least one card type."))
        return reasons


class PermissionStatus(models.TextChoices):
    NONE = "none", _("Not granted")
    PENDING = "pending", _("Waiting for PayPal")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    # Granted once, then withdrawn (PayPal's MERCHANT.PARTNER-CONSENT.REVOKED).
    REVOKED = "revoked", _("Revoked")


class ExpressCheckoutAccount(models.Model):
    """Express Checkout (US or Canada): the merchant's PayPal login and API permission."""

    KINDS = (ProviderKind.EXPRESS_CHECKOUT_US, ProviderKind.EXPRESS_CHECKOUT_CA)
    # The platform acts for the merchant once they grant API permission on PayPal.
    uses_api_permission = True
    # Attendees pay on PayPal only: no card form, always the PayPal button.
    cards_on_offer: tuple[str, ...] = ()
    offers_paypal_button = True

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="express_checkout_accounts"
    )
    kind = models.CharField(max_length=32, choices=[(k.value, k.label) for k in KINDS])
    paypal_email = models.EmailField(_("PayPal login email"), blank=True)
    currency = models.CharField(_("Currency"), max_length=3, blank=True)
    permission_status = models.CharField(
        _("API permission"),
        max_length=16,
        choices=PermissionStatus.choices,
        default=PermissionStatus.NONE,
    )
    permission_updated_at = models.DateTimeField(_("Permission date"), null=True, blank=True)
    merchant_id_in_paypal = models.CharField(max_length=32, blank=True)
    # The tracking id of the referral in progress: the return from PayPal must carry it.
    referral_tracking_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind"], name="one_express_checkout_account_per_kind"
            )
        ]
        verbose_name = _("Express Checkout account")
        verbose_name_plural = _("Express Checkout accounts")

    def __str__(self) -> str:
        return f"{self.site.slug}: {self.get_kind_display()}"

    @property
    def api_permission_active(self) -> bool:
        """Whether the platform may act for this merchant now (three-party calls: refunds).

        The one place that decides: permission granted (a consent PayPal reports revoked is
        not) and PayPal's id of the merchant known (``PayPal-Auth-Assertion`` names it)."""
        return self.permission_status == PermissionStatus.GRANTED and bool(
            self.merchant_id_in_paypal.strip()
        )

    def blockers(self) -> list[str]:
        reasons = []
        if not self.paypal_email:
            reasons.append(gettext("Enter the PayPal login email."))
        if self.permission_status == PermissionStatus.REVOKED:
            reasons.append(
                gettext("PayPal says the API permission was revoked: grant it to Webex again.")
            )
        elif not self.api_permission_active:
            reasons.append(gettext("Grant API permission to Webex on PayPal."))
        return reasons


ProviderAccount = PayflowAccount | ExpressCheckoutAccount


def account_model(kind: str) -> type[PayflowAccount] | type[ExpressCheckoutAccount]:
    """The model holding the settings of provider ``kind``; ``ValueError`` for an unknown kind."""
    for model in (PayflowAccount, ExpressCheckoutAccount):
        if kind in model.KINDS:
            return model
    raise ValueError(f"unknown provider {kind!r}")

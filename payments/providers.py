"""Provider configuration services: which account is active, saving it, checking it.

Views call these; they own the revisions, the explicit active-provider switch (with what
attendees will see), the site currency and the *Grant API permission* round trip. *Test
connection* lives in ``connection_check``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites import history
from sites.models import Site

from .gateways.partner_referrals import parse_return
from .models import Card, CommerceSettings, ExpressCheckoutAccount, Mode
from .models.providers import (
    DEFAULT_CURRENCY,
    PARTNER_BY_KIND,
    PermissionStatus,
    ProviderAccount,
    account_model,
)
from .provider_gateways import partner_referrals_client


def account_for(site: Site, kind: str) -> ProviderAccount:
    """The site's settings for one provider (unsaved defaults when never configured)."""
    model = account_model(kind)
    account = model.objects.for_site(site).filter(kind=kind).first()
    if account is None:
        account = model(site=site, kind=kind, currency=DEFAULT_CURRENCY[kind])
        if kind in PARTNER_BY_KIND:
            account.partner = PARTNER_BY_KIND[kind]
    return account


def active_account(commerce: CommerceSettings) -> ProviderAccount | None:
    if not commerce.provider:
        return None
    return account_for(commerce.site, commerce.provider)


@dataclass(frozen=True)
class IncompleteProvider:
    """The active provider and why attendees cannot pay with it yet."""

    account: ProviderAccount
    reasons: list[str]


def incomplete_active_provider(commerce: CommerceSettings) -> IncompleteProvider | None:
    """The active provider when its saved settings are incomplete, else None.

    Shown as a warning on every E-Commerce tab and in the payment page preview.
    """
    account = active_account(commerce)
    if account is None:
        return None
    reasons = account.blockers()
    return IncompleteProvider(account, reasons) if reasons else None


def active_provider_blockers(commerce: CommerceSettings) -> list[str]:
    """Production guard: the active provider must be complete (registered by ``PaymentsConfig``)."""
    incomplete = incomplete_active_provider(commerce)
    if incomplete is None:
        return []
    label = incomplete.account.get_kind_display()
    return [
        _("%(provider)s: %(reason)s") % {"provider": label, "reason": reason}
        for reason in incomplete.reasons
    ]


def _follow_currency(site: Site, account: ProviderAccount) -> None:
    """The site's prices are in the currency of its active provider."""
    if account.currency and site.currency != account.currency:
        site.currency = account.currency
        site.save(update_fields=["currency"])


@transaction.atomic
def save_provider(form, site: Site, actor) -> ProviderAccount:
    """Save a provider form and record one revision; the active provider stays as it is.

    The password is recorded only as "changed". When the saved provider is the active one, the
    site's currency follows it; another provider's settings wait for ``use_provider``.
    """
    account = history.save_form_with_revision(
        form, site, actor, f"provider.{form.instance.kind}", secret_fields=["password"]
    )
    if CommerceSettings.for_site(site).provider == account.kind:
        _follow_currency(site, account)
    return account


@dataclass(frozen=True)
class AttendeeView:
    """What the payment page offers with one provider's saved settings."""

    account: ProviderAccount
    cards: list[str]  # the names of the cards attendees can pay with
    paypal_button: bool
    currency: str
    is_test: bool
    blockers: list[str]  # why attendees could not pay with these settings

    @property
    def takes_payments(self) -> bool:
        return bool(self.cards or self.paypal_button) and not self.blockers


def attendee_view(account: ProviderAccount, commerce: CommerceSettings) -> AttendeeView:
    """The payment page as attendees would see it with ``account`` active, in this mode."""
    return AttendeeView(
        account=account,
        cards=[str(Card(card).label) for card in account.cards_on_offer],
        paypal_button=account.offers_paypal_button,
        currency=account.currency,
        is_test=commerce.is_test,
        blockers=account.blockers(),
    )


def activation_refusals(account: ProviderAccount, commerce: CommerceSettings) -> list[str]:
    """Why ``account`` cannot become the active provider now (empty: it can).

    A provider must be saved first; in Production it must also be complete, as the Production
    guard (``readiness``) would refuse the configuration otherwise.
    """
    if account.pk is None:
        return [_("Save the settings of this provider before using it for payments.")]
    if commerce.mode == Mode.PRODUCTION:
        return account.blockers()
    return []


@transaction.atomic
def use_provider(site: Site, account: ProviderAccount, actor) -> None:
    """Make ``account`` the provider of the payment page, recorded in the History.

    The caller has checked ``activation_refusals``. The site's currency follows the provider.
    """
    CommerceSettings.for_site(site)
    commerce = CommerceSettings.objects.select_for_update().get(site=site)
    if commerce.provider != account.kind:
        history.record(
            site,
            actor,
            "ecommerce.provider",
            [
                history.field_change(
                    CommerceSettings._meta.get_field("provider"), commerce.provider, account.kind
                )
            ],
        )
        commerce.provider = account.kind
        commerce.save(update_fields=["provider", "updated_at"])
    _follow_currency(site, account)


def start_permission_grant(account: ExpressCheckoutAccount, mode: str, return_url: str) -> str:
    """Create a Partner Referral and return PayPal's consent page URL for the admin.

    The tracking id is stored so that the return can be matched to this request.
    """
    if account.pk is None:
        account.save()
    tracking_id = f"{account.site.slug}-{uuid.uuid4().hex[:16]}"
    client = partner_referrals_client(mode)
    _referral_id, action_url = client.create_referral(
        tracking_id, return_url, request_id=uuid.uuid4().hex, email=account.paypal_email
    )
    account.referral_tracking_id = tracking_id
    account.permission_status = PermissionStatus.PENDING
    account.save(update_fields=["referral_tracking_id", "permission_status", "updated_at"])
    return action_url


@transaction.atomic
def finish_permission_grant(account: ExpressCheckoutAccount, query, actor) -> bool:
    """Record PayPal's answer from the consent return; True when permission was granted."""
    before = account.permission_status
    consent = parse_return(query, expected_tracking_id=account.referral_tracking_id or "")
    account.permission_status = (
        PermissionStatus.GRANTED if consent.granted else PermissionStatus.REFUSED
    )
    account.merchant_id_in_paypal = consent.merchant_id if consent.granted else ""
    account.permission_updated_at = timezone.now()
    account.referral_tracking_id = ""
    account.save()
    history.record(
        account.site,
        actor,
        f"provider.{account.kind}",
        [
            history.field_change(
                ExpressCheckoutAccount._meta.get_field("permission_status"),
                before,
                account.permission_status,
            )
        ],
    )
    return consent.granted

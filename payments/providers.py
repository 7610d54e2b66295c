"""Provider configuration services: which account is active, saving it, checking it.

Views call these; they own the revisions, the active-provider switch, the site currency, the
*Test connection* call and the *Grant API permission* round trip.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites import history
from sites.models import Site

from .gateways.base import GatewayError
from .gateways.partner_referrals import parse_return
from .models import CommerceSettings, ExpressCheckoutAccount
from .models.providers import (
    DEFAULT_CURRENCY,
    PARTNER_BY_KIND,
    PermissionStatus,
    ProviderAccount,
    account_model,
)
from .provider_gateways import connection_test, partner_referrals_client

logger = logging.getLogger(__name__)


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


def active_provider_blockers(commerce: CommerceSettings) -> list[str]:
    """Production guard: the active provider must be complete (registered by ``PaymentsConfig``)."""
    account = active_account(commerce)
    if account is None:
        return []
    return [f"{account.get_kind_display()}: {reason}" for reason in account.blockers()]


@transaction.atomic
def save_provider(form, site: Site, actor) -> ProviderAccount:
    """Save a provider form, make that provider the active one, record one revision.

    The password is recorded only as "changed"; the site's currency follows the provider.
    """
    account = history.save_form_with_revision(
        form, site, actor, f"provider.{form.instance.kind}", secret_fields=["password"]
    )
    commerce = CommerceSettings.for_site(site)
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
    if site.currency != account.currency:
        site.currency = account.currency
        site.save(update_fields=["currency"])
    return account


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    code: str
    message: str


def check_connection(account: ProviderAccount, mode: str) -> ConnectionCheck:
    """Ask PayPal whether these settings work, without moving money.

    Payflow: an inquiry for a reference that cannot exist; RESULT 19 (not found) proves the
    credentials were accepted, RESULT 1 means they were not. Express Checkout: the platform's
    OAuth token plus the account's permission status.
    """
    try:
        result = connection_test(account, mode).test_connection()
    except GatewayError as exc:
        logger.warning("Test connection failed for %s: %s", account, type(exc).__name__)
        return ConnectionCheck(False, type(exc).__name__, _("PayPal could not be reached."))
    return ConnectionCheck(result.approved, result.code, result.message)


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

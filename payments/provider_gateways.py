"""The one way to get a PayPal gateway: a site's provider account and a mode → gateway objects.

Contract:

* This is the only module that reads the PayPal endpoint settings (``PAYPAL_*``). It reads them
  at each call, never at import, so a setting changed at run time (the test fixture
  ``paypal_sandbox``, the demo launcher) is honoured by the next gateway built.
* The gateway classes under ``payments.gateways`` take plain values (URLs, credentials,
  time-out); they know no model and no setting. What is built here is typed by the protocols of
  ``gateways.base``: ``CardGateway``, ``RedirectGateway``, ``RefundGateway``,
  ``ConnectionTest``. Callers use only what those declare.
* Each provider family has one descriptor (``PayflowFamily``: Payflow Pro and Website Payments
  Pro GB on a Payflow merchant account; ``ExpressCheckoutFamily``: Express Checkout US/Canada
  through the platform's REST credentials). ``family_of`` is the only place that tells them
  apart; nothing else branches on the provider type to reach PayPal.
* A mode is ``test`` (PayPal's test endpoints) or ``production`` (live); ``sandbox`` and
  ``live`` are accepted as their synonyms. Anything else raises ``ValueError``.
* Every PayPal request of a payment or refund goes out through the gateways' shared session:
  its request id (``PayPal-Request-Id`` / ``X-VPS-REQUEST-ID``, the attempt's idempotency id
  on the wire) is bound to the log context (``paypal_request_id``) just before it is sent, so
  the lines of the request or task that follow, and the tasks it enqueues, carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from monitoring.log_context import bind_paypal_request_id

from .gateways import http
from .gateways.base import (
    CardGateway,
    ConnectionTest,
    GatewayError,
    GatewayResult,
    Outcome,
    RedirectGateway,
    RefundGateway,
)
from .gateways.partner_referrals import PartnerReferralsClient
from .gateways.payflow import PayflowClient, PayflowExpressCheckout
from .gateways.paypal_orders import PayPalOrdersGateway
from .gateways.paypal_webhooks import WebhookVerifier
from .models import Mode, Payment, PaymentMethod
from .models.providers import (
    ExpressCheckoutAccount,
    PayflowAccount,
    ProviderAccount,
    account_model,
)

http.observe_request_ids(bind_paypal_request_id)

LIVE_MODES = frozenset({Mode.PRODUCTION, "live"})
TEST_MODES = frozenset({Mode.TEST, "sandbox"})

# Web origins where PayPal shows its approval pages, besides the configured endpoints.
PAYPAL_WEB_ORIGINS = {
    Mode.TEST: "https://www.sandbox.paypal.com",
    Mode.PRODUCTION: "https://www.paypal.com",
}


def is_live(mode: str) -> bool:
    """True for the live endpoints, False for the test ones; ``ValueError`` otherwise."""
    if mode in LIVE_MODES:
        return True
    if mode in TEST_MODES:
        return False
    raise ValueError(f"unknown mode {mode!r}")


def mode_of(payment: Payment) -> str:
    """The mode a payment was taken in: test payments go to PayPal's test endpoints."""
    return Mode.TEST if payment.is_test else Mode.PRODUCTION


# --- Endpoint settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoints:
    """Where PayPal is for one mode, and the platform's REST credentials there."""

    payflow_url: str
    express_checkout_redirect_url: str
    rest_url: str
    rest_client_id: str
    rest_secret: str
    timeout: float
    webhook_id: str = ""

    def __repr__(self) -> str:  # never shows the secret
        return f"Endpoints(payflow_url={self.payflow_url!r}, rest_url={self.rest_url!r})"


def endpoints(mode: str) -> Endpoints:
    """The endpoint settings of ``mode``, read now."""
    if is_live(mode):
        return Endpoints(
            settings.PAYPAL_PAYFLOW_LIVE_URL,
            settings.PAYPAL_EC_LIVE_REDIRECT_URL,
            settings.PAYPAL_REST_LIVE_URL,
            settings.PAYPAL_REST_LIVE_CLIENT_ID,
            settings.PAYPAL_REST_LIVE_SECRET,
            settings.PAYPAL_TIMEOUT_SECONDS,
            settings.PAYPAL_WEBHOOK_ID_LIVE,
        )
    return Endpoints(
        settings.PAYPAL_PAYFLOW_TEST_URL,
        settings.PAYPAL_EC_TEST_REDIRECT_URL,
        settings.PAYPAL_REST_TEST_URL,
        settings.PAYPAL_REST_TEST_CLIENT_ID,
        settings.PAYPAL_REST_TEST_SECRET,
        settings.PAYPAL_TIMEOUT_SECONDS,
        settings.PAYPAL_WEBHOOK_ID_TEST,
    )


def payflow_endpoint(mode: str) -> str:
    """The Payflow host for ``test`` (pilot) or ``production``/``live``."""
    return endpoints(mode).payflow_url


def express_checkout_redirect_url(mode: str) -> str:
    """PayPal's buyer approval page for Express Checkout through Payflow."""
    return endpoints(mode).express_checkout_redirect_url


def paypal_form_origins(mode: str) -> list[str]:
    """Origins a payment form may end on after its redirect to PayPal (CSP ``form-action``)."""
    where = endpoints(mode)
    return sorted(
        {
            _origin(where.express_checkout_redirect_url),
            _origin(where.rest_url),
            PAYPAL_WEB_ORIGINS[Mode.PRODUCTION if is_live(mode) else Mode.TEST],
        }
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- Gateways from plain values ---------------------------------------------------------------


def payflow_gateways(
    mode: str, *, partner: str, vendor: str, user: str, password: str
) -> tuple[PayflowClient, PayflowExpressCheckout]:
    """The card gateway and the Express Checkout gateway of one Payflow merchant account."""
    where = endpoints(mode)
    client = PayflowClient(
        where.payflow_url, partner, vendor, user, password, timeout=where.timeout
    )
    return client, PayflowExpressCheckout(client, where.express_checkout_redirect_url)


def paypal_orders_gateway(mode: str, *, payee_email: str, **kwargs: Any) -> PayPalOrdersGateway:
    """The Orders v2 gateway paying ``payee_email``, with the platform credentials of ``mode``.

    ``kwargs`` go to ``PayPalOrdersGateway`` (``brand_name``, ``merchant_id``, ``session``...).
    """
    where = endpoints(mode)
    kwargs.setdefault("timeout", where.timeout)
    return PayPalOrdersGateway(
        where.rest_url, where.rest_client_id, where.rest_secret, payee_email, **kwargs
    )


def partner_referrals_client(mode: str, **kwargs: Any) -> PartnerReferralsClient:
    """The Partner Referrals client with the platform credentials of ``mode``."""
    where = endpoints(mode)
    kwargs.setdefault("timeout", where.timeout)
    return PartnerReferralsClient(where.rest_url, where.rest_client_id, where.rest_secret, **kwargs)


def webhook_verifiers(event: dict) -> list[tuple[str, WebhookVerifier]]:
    """Who to ask whether a webhook event is genuine: ``(mode, verifier)``, likeliest first.

    PayPal notifies the platform's REST app of each mode (its sandbox app in Test, its live
    app in Production), and each has its own webhook id and credentials, so an event must be
    verified against the PayPal of the mode that sent it. Only modes whose webhook id is
    configured (``PAYPAL_WEBHOOK_ID_TEST`` / ``_LIVE``) are asked. The event itself hints at
    its mode: its ``links`` point at the REST host that sent it; a mode whose REST URL has that
    host comes first. The hint only orders the questions and decides nothing: whatever the
    event claims, a mode counts only once that mode's PayPal has answered SUCCESS.
    """
    hosts = {
        urlsplit(str(link.get("href") or "")).netloc
        for link in event.get("links") or []
        if isinstance(link, dict)
    }
    found = []
    for mode in (Mode.TEST, Mode.PRODUCTION):
        where = endpoints(mode)
        if where.webhook_id:
            verifier = WebhookVerifier(
                where.rest_url,
                where.rest_client_id,
                where.rest_secret,
                where.webhook_id,
                timeout=where.timeout,
            )
            found.append((mode, verifier))
    found.sort(key=lambda pair: urlsplit(pair[1].base_url).netloc not in hosts)
    return found


# --- Provider families ---------------------------------------------------------------------


class PayflowFamily:
    """Payflow Pro and Website Payments Pro (GB): the merchant's own Payflow login takes cards
    and, where the account offers it, the PayPal button (Express Checkout through Payflow)."""

    def _gateways(self, account: PayflowAccount, mode: str):
        return payflow_gateways(
            mode,
            partner=account.partner_value,
            vendor=account.vendor,
            user=account.user or account.vendor,
            password=account.password,
        )

    def card(self, account: PayflowAccount, mode: str) -> CardGateway:
        return self._gateways(account, mode)[0]

    def redirect(self, account: PayflowAccount, mode: str, *, brand_name: str) -> RedirectGateway:
        return self._gateways(account, mode)[1]

    def refund_refusal(self, account: PayflowAccount) -> str:
        """The merchant's own Payflow login refunds: nothing to check beyond the login."""
        return ""

    def refund(self, account: PayflowAccount, mode: str, method: str) -> RefundGateway:
        # A PayPal-button payment is credited with TENDER=P, a card sale with TENDER=C.
        card, paypal = self._gateways(account, mode)
        return paypal if method == PaymentMethod.PAYPAL else card

    def connection_test(self, account: PayflowAccount, mode: str) -> ConnectionTest:
        return self._gateways(account, mode)[0]


@dataclass(frozen=True)
class PlatformConnectionTest:
    """``ConnectionTest`` of an Express Checkout account: the platform's OAuth token is issued,
    and the merchant has granted the platform API permission."""

    client: PartnerReferralsClient
    permission_granted: bool

    def test_connection(self) -> GatewayResult:
        self.client.oauth.access_token()
        if not self.permission_granted:
            return GatewayResult(
                Outcome.ERROR, "PERMISSION", _("API permission is not granted yet.")
            )
        return GatewayResult(
            Outcome.APPROVED, "OK", _("PayPal answered and API permission is granted.")
        )


class ExpressCheckoutFamily:
    """Express Checkout (US, Canada): Orders v2 with the platform's REST credentials, paying
    the merchant's PayPal email; refunds on the merchant's behalf once permission is granted."""

    def card(self, account: ExpressCheckoutAccount, mode: str) -> CardGateway:
        raise GatewayError(f"{account.kind} takes no card payments")

    def redirect(
        self, account: ExpressCheckoutAccount, mode: str, *, brand_name: str
    ) -> RedirectGateway:
        return paypal_orders_gateway(mode, payee_email=account.paypal_email, brand_name=brand_name)

    def refund_refusal(self, account: ExpressCheckoutAccount) -> str:
        """Why the platform may not refund for this merchant now ("" when it may): a refund is
        a three-party call naming the merchant (``PayPal-Auth-Assertion``), so PayPal's id of
        the merchant must be known and their consent in force (``api_permission_active``)."""
        if account.api_permission_active:
            return ""
        if not account.merchant_id_in_paypal.strip():
            return _(
                "PayPal's id of this merchant is unknown, so Webex cannot refund on their "
                "behalf. Grant API permission to Webex again on the provider's page, or refund "
                "from the merchant's PayPal account."
            )
        return _(
            "The merchant has not granted Webex API permission on PayPal, or has revoked it: "
            "Webex cannot refund on their behalf. Grant API permission again on the provider's "
            "page, or refund from the merchant's PayPal account."
        )

    def refund(self, account: ExpressCheckoutAccount, mode: str, method: str) -> RefundGateway:
        if self.refund_refusal(account):
            raise GatewayError("no API permission to refund for this merchant")
        return paypal_orders_gateway(
            mode, payee_email=account.paypal_email, merchant_id=account.merchant_id_in_paypal
        )

    def connection_test(self, account: ExpressCheckoutAccount, mode: str) -> ConnectionTest:
        return PlatformConnectionTest(partner_referrals_client(mode), account.api_permission_active)


FAMILIES: dict[type, PayflowFamily | ExpressCheckoutFamily] = {
    PayflowAccount: PayflowFamily(),
    ExpressCheckoutAccount: ExpressCheckoutFamily(),
}


def family_of(account: ProviderAccount) -> PayflowFamily | ExpressCheckoutFamily:
    return FAMILIES[type(account)]


# --- Gateways of an account, or of the account that took a payment ---------------------------


def connection_test(account: ProviderAccount, mode: str) -> ConnectionTest:
    """*Test connection* for these saved settings in ``mode``."""
    return family_of(account).connection_test(account, mode)


def account_of(payment: Payment) -> ProviderAccount:
    """The site's settings of the provider that took ``payment``.

    Raises ``GatewayError`` for a provider that does not exist, and the model's
    ``DoesNotExist`` when the site has no such account.
    """
    try:
        model = account_model(payment.provider)
    except ValueError:
        raise GatewayError(f"no gateway for provider {payment.provider!r}") from None
    return model.objects.get(site_id=payment.site_id, kind=payment.provider)


def card_gateway_for(payment: Payment) -> CardGateway:
    """The card gateway that charges (or charged) ``payment``."""
    return family_of(account := account_of(payment)).card(account, mode_of(payment))


def redirect_gateway_for(payment: Payment) -> RedirectGateway:
    """The PayPal-button gateway of ``payment``; the site's business name brands PayPal's page."""
    account = account_of(payment)
    commerce = getattr(payment.site, "commerce", None)
    brand_name = commerce.business_name if commerce else ""
    return family_of(account).redirect(account, mode_of(payment), brand_name=brand_name)


def refund_refusal(payment: Payment) -> str:
    """Why ``payment`` cannot be refunded through PayPal now, in plain words ("" when it can).

    Decided before anything is sent: a missing provider account, or (Express Checkout) no
    API permission in force for the merchant."""
    try:
        account = account_of(payment)
    except (GatewayError, ObjectDoesNotExist):
        return _("The payment provider's settings do not allow this refund.")
    return family_of(account).refund_refusal(account)


def refund_gateway_for(payment: Payment) -> RefundGateway:
    """The gateway that gives back money ``payment`` collected (by card or through PayPal)."""
    account = account_of(payment)
    return family_of(account).refund(account, mode_of(payment), payment.method)

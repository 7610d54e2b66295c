"""PayPal Partner Referrals v2: the *Grant API permission* link (seller onboarding).

``paypal-server-sdk`` has no controller for this API, so this speaks it with plain
``requests`` through ``paypal_rest.PlatformRestClient`` (the same pooled session and OAuth
token cache as the Orders gateway). The platform creates a referral for third-party API
integration (features PAYMENT and REFUND) with the site as ``tracking_id`` and a
``return_url``; the admin is sent to the returned ``action_url``; PayPal sends them back to
``return_url`` with ``merchantIdInPayPal``, ``permissionsGranted``, ``consentStatus`` and more,
which ``parse_return`` reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import GatewayError
from .paypal_rest import (
    PayPalAnswer,
    PlatformRestClient,
    find_link,
    mock_header,
    wire_request_id,
)

logger = logging.getLogger(__name__)

DEFAULT_FEATURES = ("PAYMENT", "REFUND")
_MERCHANT_ID = re.compile(r"^[A-Z0-9]{13}$")


class PartnerReferralError(GatewayError):
    """PayPal refused to create or show a referral; ``code`` is PayPal's issue."""

    def __init__(self, answer: PayPalAnswer) -> None:
        self.status = answer.status
        self.code = answer.issue
        self.debug_id = answer.debug_id
        super().__init__(
            f"PayPal Partner Referrals: HTTP {answer.status} {self.code}"
            f" ({answer.description or 'no description'}) debug_id={answer.debug_id}"
        )


@dataclass(frozen=True)
class ConsentResult:
    """What PayPal's redirect back from the consent page says.

    ``granted`` only when permissions and consent are both true and a well-formed
    ``merchantIdInPayPal`` came with them (and, when the caller knows it, the
    ``tracking_id`` matches); ``reason`` says why not otherwise.
    """

    granted: bool
    merchant_id: str  # merchantIdInPayPal: the seller's PayPal merchant id
    tracking_id: str  # merchantId: the platform's own id for the seller
    permissions_granted: bool
    consent_status: bool
    email_confirmed: bool
    account_status: str
    reason: str = ""
    raw: dict = field(default_factory=dict)


def _flag(query: Mapping[str, Any], name: str) -> bool:
    return str(query.get(name, "")).strip().lower() == "true"


def parse_return(
    query: Mapping[str, Any], *, expected_tracking_id: str | None = None
) -> ConsentResult:
    """Read the return URL's query (a ``QueryDict`` or any mapping of str)."""
    raw = {key: str(query.get(key, "")) for key in query}
    merchant_id = raw.get("merchantIdInPayPal", "").strip()
    tracking_id = raw.get("merchantId", "").strip()
    permissions = _flag(query, "permissionsGranted")
    consent = _flag(query, "consentStatus")
    reason = ""
    if not permissions:
        reason = "permissions not granted"
    elif not consent:
        reason = "consent not given"
    elif not _MERCHANT_ID.match(merchant_id):
        reason = "no valid merchantIdInPayPal"
    elif expected_tracking_id is not None and tracking_id != expected_tracking_id:
        reason = "tracking id does not match"
    return ConsentResult(
        granted=not reason,
        merchant_id=merchant_id if not reason else "",
        tracking_id=tracking_id,
        permissions_granted=permissions,
        consent_status=consent,
        email_confirmed=_flag(query, "isEmailConfirmed"),
        account_status=raw.get("accountStatus", ""),
        reason=reason,
        raw=raw,
    )


class PartnerReferralsClient(PlatformRestClient):
    """Create and read Partner Referrals v2 with the platform's REST credentials."""

    api_name = "Partner Referrals"

    parse_return = staticmethod(parse_return)

    def create_referral(
        self,
        tracking_id: str,
        return_url: str,
        request_id: str,
        *,
        features: tuple[str, ...] = DEFAULT_FEATURES,
        email: str = "",
        products: tuple[str, ...] = ("EXPRESS_CHECKOUT",),
        mock_response: str | None = None,
    ) -> tuple[str, str]:
        """Create a third-party API-integration referral; returns (referral id, action URL).

        Idempotent by ``request_id`` (sent as ``PayPal-Request-Id``). Raises
        ``PartnerReferralError`` when PayPal refuses, ``GatewayTimeout`` without an answer.
        """
        body: dict[str, Any] = {
            "tracking_id": tracking_id,
            "partner_config_override": {"return_url": return_url},
            "operations": [
                {
                    "operation": "API_INTEGRATION",
                    "api_integration_preference": {
                        "rest_api_integration": {
                            "integration_method": "PAYPAL",
                            "integration_type": "THIRD_PARTY",
                            "third_party_details": {"features": list(features)},
                        }
                    },
                }
            ],
            "products": list(products),
            "legal_consents": [{"type": "SHARE_DATA_CONSENT", "granted": True}],
        }
        if email:
            body["email"] = email
        headers = {"PayPal-Request-Id": wire_request_id(request_id)}
        mock = mock_header(mock_response)
        if mock:
            headers["PayPal-Mock-Response"] = mock
        answer = self._send("POST", "/v2/customer/partner-referrals", json=body, headers=headers)
        if answer.status not in (200, 201):
            raise PartnerReferralError(answer)
        self_url = find_link(answer.body, "self")
        action_url = find_link(answer.body, "action_url")
        referral_id = self_url.rstrip("/").rsplit("/", 1)[-1] if self_url else ""
        if not referral_id or not action_url:
            raise GatewayError("PayPal created a referral without self or action_url links")
        logger.info("PayPal referral %s created for %s", referral_id, tracking_id)
        return referral_id, action_url

    def get_referral(self, referral_id: str) -> dict:
        """The referral as PayPal stores it (``referral_data``, ``links``)."""
        answer = self._send("GET", f"/v2/customer/partner-referrals/{referral_id}")
        if answer.status != 200:
            raise PartnerReferralError(answer)
        return answer.body

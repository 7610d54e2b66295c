"""PayPal Webhooks v1: is this notification one PayPal sent us, unchanged?

PayPal signs each delivery (headers ``PAYPAL-TRANSMISSION-ID``, ``-TIME``, ``-SIG``,
``PAYPAL-CERT-URL``, ``PAYPAL-AUTH-ALGO``) for one webhook id of the platform's REST app.
``WebhookVerifier.verify`` asks PayPal itself, through ``POST
/v1/notifications/verify-webhook-signature``, as PayPal recommends: the answer is
``SUCCESS`` only for a transmission PayPal made, with that exact event, for that webhook id.

The event is sent back as the bytes that arrived (spliced into the request's JSON, not parsed
and serialized again), so that nothing in a re-encoding can make a genuine event fail.

This module knows no model and reads no setting: ``payments.provider_gateways`` builds one
verifier per mode with the platform's credentials and webhook id of that mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from .base import GatewayError
from .paypal_rest import PlatformRestClient

VERIFY_PATH = "/v1/notifications/verify-webhook-signature"
# The request fields of verify-webhook-signature and the delivery headers they come from.
SIGNATURE_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}
MAX_HEADER_LENGTH = 2048


@dataclass(frozen=True)
class Signature:
    """The signature headers of one delivery (``from_headers`` returns None when one is
    missing, empty or oversized: such a delivery cannot be genuine)."""

    auth_algo: str
    cert_url: str
    transmission_id: str
    transmission_sig: str
    transmission_time: str

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Signature | None:
        values = {}
        for field_name, header in SIGNATURE_HEADERS.items():
            value = str(headers.get(header) or "").strip()
            if not value or len(value) > MAX_HEADER_LENGTH:
                return None
            values[field_name] = value
        return cls(**values)


class WebhookVerifier(PlatformRestClient):
    """``verify-webhook-signature`` for one webhook id of the platform's REST app."""

    api_name = "Webhooks"

    def __init__(self, base_url: str, client_id: str, secret: str, webhook_id: str, **kwargs):
        if not webhook_id:
            raise GatewayError("no PayPal webhook id is configured")
        super().__init__(base_url, client_id, secret, **kwargs)
        self.webhook_id = webhook_id

    def verify(self, signature: Signature, raw_event: bytes) -> bool:
        """True when PayPal says it sent ``raw_event`` (a JSON object) with ``signature``.

        False on ``FAILURE`` and on a 4xx (PayPal found the request itself wrong). Raises
        ``GatewayTimeout`` without an answer and ``GatewayError`` on a 5xx or an answer that
        is neither: PayPal could not say, so the caller must not decide either way.
        """
        fields = {
            **{name: getattr(signature, name) for name in SIGNATURE_HEADERS},
            "webhook_id": self.webhook_id,
        }
        head = json.dumps(fields)[:-1]  # '{"auth_algo": ..., "webhook_id": "..."' (no brace)
        body = f'{head}, "webhook_event": '.encode() + raw_event + b"}"
        answer = self._send(
            "POST", VERIFY_PATH, data=body, headers={"Content-Type": "application/json"}
        )
        if answer.status >= 500:
            raise GatewayError(f"PayPal Webhooks: HTTP {answer.status} debug_id={answer.debug_id}")
        if answer.status != 200:
            return False
        status = answer.body.get("verification_status")
        if status not in ("SUCCESS", "FAILURE"):
            raise GatewayError("PayPal Webhooks: no verification_status in the answer")
        return status == "SUCCESS"

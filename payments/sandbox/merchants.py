"""The merchants the platform acts for, and the ``PayPal-Auth-Assertion`` that names one.

A merchant is *known* (registered: e-mail -> 13-character merchant id) once it grants consent
on the consent page (the referral's ``email``), once an order names its ``payee.merchant_id``,
or through ``POST /_sandbox/merchants`` ``{"email": "...", "merchant_id": "..."}``. A payee
known only by e-mail shows a stable merchant id derived from it.
``POST /_sandbox/merchants/{merchant_id}/revoke`` revokes a known merchant's consent (and sends
``MERCHANT.PARTNER-CONSENT.REVOKED``).

A *three-party* capture is one paid to a known merchant, not to the platform's own account
(``PLATFORM_EMAIL``, the payee of an order that names none). PayPal refuses to refund it
unless ``PayPal-Auth-Assertion`` (an unsigned JWT: ``{"alg":"none"}`` header, claims ``iss`` =
the caller's client id and ``payer_id`` = the merchant id, or ``email``) names that merchant
and its consent stands: otherwise 403 ``NOT_AUTHORIZED`` / ``PERMISSION_DENIED``, the answer
the Payments document lists for a caller lacking permission. A payee the simulator never saw
onboarded or registered is not checked: it cannot tell who owns that account.
"""

from __future__ import annotations

import base64
import json
import re

from werkzeug.wrappers import Request

from .rest_common import stable_account_id
from .rest_errors import ApiError, issue
from .state import SandboxState

MERCHANTS = "merchants"
PLATFORM_EMAIL = "sb-platform@business.example.com"
PERMISSION_DENIED = "You do not have permission to access or perform operations on this resource."
_MERCHANT_ID = re.compile(r"[A-Z0-9]{13}")


def _directory(state: SandboxState) -> dict:
    with state.lock:
        table = state.table(MERCHANTS)
        table.setdefault("ids", {})  # e-mail (lower case) -> merchant id
        table.setdefault("revoked", set())  # merchant ids whose consent was revoked
        return table


def merchant_id_for(state: SandboxState, email: str) -> str:
    """The registered merchant id of ``email``, else its derived one."""
    registered = _directory(state)["ids"].get(email.lower())
    return registered or stable_account_id("payee:" + email.lower())


def register(state: SandboxState, email: str, merchant_id: str) -> None:
    with state.lock:
        directory = _directory(state)
        directory["ids"][email.lower()] = merchant_id
        directory["revoked"].discard(merchant_id)


def valid_merchant_id(merchant_id: str) -> bool:
    return bool(_MERCHANT_ID.fullmatch(merchant_id))


def revoke(state: SandboxState, merchant_id: str) -> str | None:
    """Revoke the consent of ``merchant_id``; returns its e-mail (None when unknown)."""
    with state.lock:
        directory = _directory(state)
        email = next((e for e, m in directory["ids"].items() if m == merchant_id), None)
        if email is not None:
            directory["revoked"].add(merchant_id)
        return email


def assertion_claims(request: Request) -> dict:
    """The claims of the request's ``PayPal-Auth-Assertion`` (``{}`` when absent or malformed)."""
    parts = request.headers.get("PayPal-Auth-Assertion", "").split(".")
    if len(parts) < 2:
        return {}
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return {}
    return claims


def asserted_merchant(request: Request) -> str:
    """The ``payer_id`` a partner names in ``PayPal-Auth-Assertion``, or ""."""
    return str(assertion_claims(request).get("payer_id", ""))


def check_acting_for(state: SandboxState, request: Request, client_id: str, payee: str) -> None:
    """Raise 403 unless the caller may act for ``payee`` (an e-mail), as described above."""
    directory = _directory(state)
    merchant_id = directory["ids"].get(payee.lower())
    if merchant_id is None or payee.lower() == PLATFORM_EMAIL:
        return
    claims = assertion_claims(request)
    names_payee = (
        str(claims.get("email", "")).lower() == payee.lower()
        or str(claims.get("payer_id", "")) == merchant_id
    )
    allowed = claims.get("iss") == client_id and names_payee
    if not allowed or merchant_id in directory["revoked"]:
        raise ApiError(403, [issue("PERMISSION_DENIED", PERMISSION_DENIED)], api="payments")


def listing(state: SandboxState) -> list[dict]:
    """The registered merchants: ``email``, ``merchant_id``, ``revoked``."""
    directory = _directory(state)
    return [
        {"email": email, "merchant_id": merchant_id, "revoked": merchant_id in directory["revoked"]}
        for email, merchant_id in sorted(directory["ids"].items())
    ]

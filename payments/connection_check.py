"""*Test connection*: ask PayPal about a provider's saved settings and say what it answered.

Contract: ``check_connection(account, mode)`` never moves money and never raises for PayPal's
sake. It returns a ``ConnectionCheck`` whose ``summary`` is one sentence for the administrator,
in the active language, naming the servers asked (test or live) and, when PayPal refused, the
reason in plain words; ``answer`` is PayPal's own answer as it came (code and English message),
for a details line. No secret is ever part of either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .gateways.base import GatewayError, GatewayResult, GatewayTimeout
from .models.providers import PARTNER_BY_KIND, ProviderAccount
from .provider_gateways import connection_test, is_live

logger = logging.getLogger(__name__)

# Payflow RESULT codes of a refused connection test -> the reason, for the administrator.
PAYFLOW_REFUSALS = {
    "1": gettext_lazy(
        "PayPal refused the user name or password (user authentication failed). Check the "
        "User name and type the Password again."
    ),
    "5": gettext_lazy(
        "PayPal says the merchant information is invalid. Check the Partner ID and the account "
        "type with PayPal."
    ),
    "25": gettext_lazy(
        "PayPal says this account is not set up for this PayPal product (invalid host "
        "mapping). Check the account type with PayPal."
    ),
    "26": gettext_lazy(
        "PayPal does not know this Merchant/Vendor login ID with this Partner ID (vendor or "
        "partner unknown). Check both."
    ),
}
# Codes of the Express Checkout test (``provider_gateways.PlatformConnectionTest``).
PERMISSION_MISSING = "PERMISSION"


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    summary: str  # for the administrator, in their language
    answer: str  # PayPal's answer as it came, for the details line


def servers(mode: str) -> str:
    return _("live servers") if is_live(mode) else _("test servers")


def check_connection(account: ProviderAccount, mode: str) -> ConnectionCheck:
    """Ask PayPal whether these saved settings work in ``mode``, without moving money.

    Payflow: an inquiry for a reference that cannot exist; RESULT 19 (not found) proves the
    credentials were accepted. Express Checkout: the platform's OAuth token plus the
    account's API permission.
    """
    where = {"servers": servers(mode)}
    try:
        result = connection_test(account, mode).test_connection()
    except GatewayTimeout as exc:
        logger.warning("Test connection: PayPal unreachable for %s: %s", account, exc)
        return ConnectionCheck(
            False,
            _("PayPal could not be reached (%(servers)s). Try again in a moment.") % where,
            str(exc),
        )
    except GatewayError as exc:
        logger.warning("Test connection: PayPal refused the request for %s: %s", account, exc)
        return ConnectionCheck(
            False,
            _("PayPal did not accept the request (%(servers)s). If this persists, contact support.")
            % where,
            str(exc),
        )
    if account.uses_api_permission:
        return _platform_verdict(result, where)
    return _payflow_verdict(account, result, where)


def _platform_verdict(result: GatewayResult, where: dict) -> ConnectionCheck:
    """Express Checkout: the platform's token was issued; is the permission granted?"""
    if result.approved:
        summary = _("PayPal answered and Webex has API permission for this account (%(servers)s).")
    elif result.code == PERMISSION_MISSING:
        summary = _(
            "PayPal answered, but the API permission is not granted yet (%(servers)s): use "
            "“Grant API permission to Webex”."
        )
    else:
        summary = _("PayPal refused the connection (%(servers)s).")
    return ConnectionCheck(result.approved, summary % where, f"{result.code} — {result.message}")


def _payflow_verdict(account, result: GatewayResult, where: dict) -> ConnectionCheck:
    """Payflow: RESULT 19/0 is an accepted login; other codes are refusals, explained."""
    answer = f"RESULT={result.code} — {result.message}"
    if result.approved:
        summary = _("PayPal accepted these credentials (%(servers)s).") % where
        return ConnectionCheck(True, summary, answer)
    reason = PAYFLOW_REFUSALS.get(result.code)
    if reason is None:
        return ConnectionCheck(
            False, _("PayPal refused these settings (%(servers)s).") % where, answer
        )
    summary = _("PayPal refused these settings (%(servers)s): %(reason)s") % {
        **where,
        "reason": reason,
    }
    if result.code == "26":
        summary += " " + _("The usual Partner ID for this provider is %(partner)s.") % {
            "partner": PARTNER_BY_KIND[account.kind]
        }
    return ConnectionCheck(False, summary, answer)

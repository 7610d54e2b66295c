"""Whether a site's configuration may go to Production, and if not, why.

``production_blockers`` is the single check behind the operation-mode form. Provider
modules add their own completeness checks by registering a function with
``register_provider_check``: it receives the ``CommerceSettings`` and returns reasons.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

ProviderCheck = Callable[[object], list[str]]
_provider_checks: list[ProviderCheck] = []


def register_provider_check(check: ProviderCheck) -> ProviderCheck:
    _provider_checks.append(check)
    return check


def production_blockers(commerce) -> list[str]:
    """Reasons, in plain words, why this configuration cannot take real money yet."""
    reasons = []
    if not (commerce.events_enabled or commerce.training_enabled):
        reasons.append(_("Enable e-commerce for Webex Events or Webex Training first."))
    if not commerce.business_name:
        reasons.append(_("Enter the business name shown to attendees."))
    if not commerce.provider:
        reasons.append(_("Choose and configure a payment provider."))
    for check in _provider_checks:
        reasons.extend(check(commerce))
    return reasons

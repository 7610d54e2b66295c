"""Whether a site's configuration may go to Production, and if not, why.

``production_blockers`` is the single check behind the operation-mode form. Apps add their
own completeness checks in their ``AppConfig.ready()`` with ``register_provider_check`` (the
payments app registers ``providers.active_provider_blockers``): a check receives the
``CommerceSettings`` and returns reasons. Registering the same check twice keeps one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

ProviderCheck = Callable[[object], list[str]]
_provider_checks: list[ProviderCheck] = []


def register_provider_check(check: ProviderCheck) -> ProviderCheck:
    if check not in _provider_checks:
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

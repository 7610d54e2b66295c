"""How many payment attempts one client, and one promotional code, may make in a while.

A payment attempt (card or PayPal) holds a promo code use until PayPal answers, or until the
PayPal approval window ends: without a limit, one visitor could hold every use of a code by
starting checkouts they never finish. ``take_attempt`` counts one attempt per client address
(``REMOTE_ADDR``: the proxy in front of the console sets it) and per code of the site, in a
fixed window of ``PAYMENT_ATTEMPTS_WINDOW_SECONDS``, in the shared cache; it answers whether the
attempt may go ahead (``PAYMENT_ATTEMPTS_PER_CLIENT``, ``PAYMENT_ATTEMPTS_PER_CODE``).

The cache being down must not take payments down: a cache error lets the attempt through (and
is logged).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

from promocodes.codegen import normalize
from sites.models import Site

logger = logging.getLogger(__name__)


def _count(key: str, window: int) -> int:
    """Add one to ``key``'s counter of this window; the counter's new value."""
    if cache.add(key, 1, timeout=window + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return 1


def take_attempt(site: Site, client_address: str, code_text: str) -> bool:
    """Count one payment attempt; False when this client or this code is over its limit."""
    window = max(1, settings.PAYMENT_ATTEMPTS_WINDOW_SECONDS)
    slot = int(time.time() // window)
    checks = [
        (f"pay-attempts:client:{client_address}:{slot}", settings.PAYMENT_ATTEMPTS_PER_CLIENT)
    ]
    code = normalize(code_text) if code_text.strip() else ""
    if code:
        checks.append(
            (f"pay-attempts:code:{site.pk}:{code}:{slot}", settings.PAYMENT_ATTEMPTS_PER_CODE)
        )
    try:
        return all(_count(key, window) <= limit for key, limit in checks)
    except Exception:  # noqa: BLE001 - the cache is an aid here, never a reason to refuse
        logger.exception("Payment attempt limits could not be counted; attempt allowed")
        return True

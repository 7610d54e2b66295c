"""Rate limits per API key (per member for console sessions), with ``Retry-After``.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` (``API_RATE_LIMIT`` in the
environment), read on every request so that a settings change applies at once. Counts live in
the shared cache (Redis in production), so every process of the site agrees. A cache that
cannot be reached (Redis down) fails open: the request is allowed and the failure logged, as
for the payment attempt limits.
"""

from __future__ import annotations

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey

logger = logging.getLogger(__name__)


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api"

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache is an aid here, never a reason to refuse
            logger.exception("API rate limit could not be counted; request allowed")
            return True

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"api-throttle:{ident}"

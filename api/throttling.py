"""Rate limits per API key (per member for console sessions), with ``Retry-After``.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` (``API_RATE_LIMIT`` in the
environment), read on every request so that a settings change applies at once. Counts live in
the shared cache (Redis in production), so every process of the site agrees.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api"

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

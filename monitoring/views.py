"""``/healthz``, ``/readyz`` and ``/metrics``.

``/healthz`` and ``/readyz`` are public (load balancers, orchestrators): they answer only a
status code and ``ok``/``failing`` per check name, never a reason, host or version.
``/metrics`` answers only when ``METRICS_ENABLED`` and the caller passes ``metrics_access``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .health import READINESS_CHECKS
from .metrics import scrape_registry


class LivenessView(View):
    """The process answers HTTP: no database, cache or broker is touched."""

    http_method_names = ["get", "head"]

    def get(self, request):
        response = JsonResponse({"status": "ok"})
        add_never_cache_headers(response)
        return response


class ReadinessView(HealthCheckView):
    """200 when every readiness check passes, else 503; the body names each check's state."""

    checks = tuple(READINESS_CHECKS.values())
    http_method_names = ["get", "head"]
    # Read by the security suite's URL walk: 503 is this page's normal "not ready" answer.
    unavailable_status = 503

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        states = {
            name: "failing" if result.error else "ok"
            for name, result in zip(READINESS_CHECKS, results, strict=True)
        }
        ready = all(state == "ok" for state in states.values())
        return JsonResponse(
            {"status": "ready" if ready else "unavailable", "checks": states},
            status=200 if ready else self.unavailable_status,
        )


def metrics_access(request) -> bool:
    """The caller's address is in ``METRICS_ALLOWED_NETWORKS`` (any address when the list is
    empty) and, when ``METRICS_BEARER_TOKEN`` is set, it sends ``Authorization: Bearer <it>``."""
    networks = settings.METRICS_ALLOWED_NETWORKS
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if not any(address in ipaddress.ip_network(net, strict=False) for net in networks):
            return False
    token = settings.METRICS_BEARER_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(given.strip(), token)
    return True


class MetricsView(View):
    """The Prometheus text exposition of ``metrics.scrape_registry()``."""

    http_method_names = ["get", "head"]

    def get(self, request):
        if not settings.METRICS_ENABLED:
            raise Http404
        if not metrics_access(request):
            return HttpResponseForbidden()
        response = HttpResponse(
            generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST
        )
        add_never_cache_headers(response)
        return response

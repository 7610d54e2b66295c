"""Request id and request metrics, first in the middleware chain so they see every request."""

from __future__ import annotations

import time

from . import log_context, metrics


class RequestIdMiddleware:
    """Give each request an id, bind it to the log context and echo it in ``X-Request-ID``.

    A well-formed ``X-Request-ID`` from the caller (a load balancer, a proxy) is kept, so one
    id follows the request across systems; anything else is replaced by a new id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = log_context.request_id_from(request.headers.get(log_context.REQUEST_ID_HEADER))
        request.request_id = request_id
        token = log_context.bind(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            log_context.unbind(token)
        response[log_context.REQUEST_ID_HEADER] = request_id
        return response


class RequestMetricsMiddleware:
    """Time each request and count its answer, labelled by the URL pattern's name (the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or metrics.UNMATCHED_VIEW
        metrics.observe_request(
            view, request.method, response.status_code, time.perf_counter() - started
        )
        return response

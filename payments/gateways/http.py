"""The pooled HTTP session every PayPal client shares within a process.

It also tells the product which PayPal request is going out: ``observe_request_ids(callback)``
has ``callback(request_id)`` called, just before each request is sent, with the idempotency
id on the wire (``PayPal-Request-Id`` for REST, ``X-VPS-REQUEST-ID`` for Payflow; requests
without one, such as OAuth tokens and lookups, call nothing). The gateways stay free of any
product module; ``payments.provider_gateways`` registers the log context's binding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache

import requests
from requests.adapters import HTTPAdapter

REQUEST_ID_HEADERS = ("PayPal-Request-Id", "X-VPS-REQUEST-ID")

_lock = threading.Lock()
_observers: list[Callable[[str], None]] = []


def observe_request_ids(callback: Callable[[str], None]) -> None:
    """Call ``callback`` with the request id of every request the shared session sends
    (registered once, however often this is called)."""
    with _lock:
        if callback not in _observers:
            _observers.append(callback)


class ObservedSession(requests.Session):
    """A ``requests.Session`` that shows each outgoing request id to the observers."""

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        for name in REQUEST_ID_HEADERS:
            if value := request.headers.get(name):
                for callback in list(_observers):
                    callback(value)
                break
        return super().send(request, **kwargs)


@cache
def _build() -> requests.Session:
    session = ObservedSession()
    # No automatic retries: a retry must reuse the same PayPal request id, which only the
    # client knows; each client retries itself where that is safe.
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def shared_session() -> requests.Session:
    """One pooled session per process (connections are reused across calls and threads)."""
    with _lock:
        return _build()

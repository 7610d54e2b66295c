"""The pooled HTTP session every PayPal client shares within a process."""

from __future__ import annotations

import threading
from functools import cache

import requests
from requests.adapters import HTTPAdapter

_lock = threading.Lock()


@cache
def _build() -> requests.Session:
    session = requests.Session()
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

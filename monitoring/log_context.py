"""The fields every log line of the current request or Celery task carries.

A request gets an id (the caller's ``X-Request-ID`` when well formed, else a new one); the
tasks it enqueues carry it in their message headers (``celery_signals``), so the web request,
the task and the PayPal call it makes share one id in the logs. ``log_filters.ContextFilter``
copies the bound fields onto each log record.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits, dot, dash and underscore, 8 to 128 of them: UUIDs and trace ids fit, and
# nothing a log reader could mistake for another field (no spaces, quotes or newlines).
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")
_PAYPAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_fields: ContextVar[dict[str, str] | None] = ContextVar("monitoring_log_fields", default=None)


def request_id_from(value: str | None) -> str:
    """``value`` when it is a well-formed request id, else a new random one."""
    if value and WELL_FORMED_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def bind(**fields: str) -> Token:
    """Add ``fields`` to the log context; give the token to ``unbind`` to restore the previous."""
    return _fields.set({**(_fields.get() or {}), **fields})


def unbind(token: Token) -> None:
    _fields.reset(token)


def bound_fields() -> dict[str, str]:
    """A copy of the fields bound now (empty outside any request or task)."""
    return dict(_fields.get() or {})


def current_request_id() -> str | None:
    return (_fields.get() or {}).get("request_id")


def current_paypal_request_id() -> str | None:
    return (_fields.get() or {}).get("paypal_request_id")


def bind_paypal_request_id(paypal_id: str | None) -> None:
    """Carry the id of the PayPal request just sent on every later log line of this
    request/task, and on the tasks it enqueues.

    Called by the gateways' shared HTTP session (``payments.provider_gateways`` registers it)
    just before each PayPal request of a payment or refund goes out, with the id on the wire:
    ``PayPal-Request-Id`` (REST) or ``X-VPS-REQUEST-ID`` (Payflow), the attempt's idempotency
    id, identical on every retry — so it is known even when PayPal never answers, and a
    support ticket with PayPal can be matched to our request id. Only that id is bound: an
    empty or malformed value (anything but letters, digits, ``.``, ``-``, ``_``, at most 64
    characters) is ignored. The binding ends with the request, the task or the ``scope``.
    """
    if paypal_id and _PAYPAL_ID.fullmatch(paypal_id):
        _fields.set({**(_fields.get() or {}), "paypal_request_id": paypal_id})


@contextmanager
def scope(**fields: str) -> Iterator[None]:
    """Fields bound inside the block (``fields``, and any bound by code it runs) end with it:
    a task working on many payments keeps one payment's PayPal id off the next one's lines."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)

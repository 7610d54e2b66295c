"""The fields every log line of the current request or Celery task carries.

A request gets an id (the caller's ``X-Request-ID`` when well formed, else a new one); the
tasks it enqueues carry it in their message headers (``celery_signals``), so the web request,
the task and the PayPal call it makes share one id in the logs. ``log_filters.ContextFilter``
copies the bound fields onto each log record.
"""

from __future__ import annotations

import re
import uuid
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


def bind_paypal_request_id(paypal_id: str | None) -> None:
    """Carry PayPal's id of the call just answered on every later log line of this request/task.

    For the payment modules: call it right after each PayPal answer with PayPal's own
    identifier of that call (the REST ``PayPal-Debug-Id`` header, or the Payflow ``PNREF``),
    so that a support ticket with PayPal can be matched to our request id. Only that id is
    bound: an empty or malformed value (anything but letters, digits, ``.``, ``-``, ``_``,
    at most 64 characters) is ignored. The binding ends with the request or task.
    """
    if paypal_id and _PAYPAL_ID.fullmatch(paypal_id):
        _fields.set({**(_fields.get() or {}), "paypal_request_id": paypal_id})

"""Logging filters of the console handler: request context on every record, secrets out.

Both sit on the handler (``settings.LOGGING``), so they see every record that handler writes,
whichever logger emitted it (Django, Celery, the apps, libraries).
"""

from __future__ import annotations

import logging

from . import log_context
from .redaction import redact, secrets_of_settings

# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
CONTEXT_FIELDS = ("request_id", "paypal_request_id", "task_id", "task_name")


class ContextFilter(logging.Filter):
    """Copy the bound log context onto the record; ``request_id`` is ``-`` outside a request.

    Django logs a 4xx/5xx answer after the middleware chain has returned (the context is
    unbound by then) but passes the request along: its id is taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        fields = log_context.bound_fields()
        from_request = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = fields.pop("request_id", None) or from_request or "-"
        for name, value in fields.items():
            setattr(record, name, value)
        return True


class RedactFilter(logging.Filter):
    """Replace card numbers, security codes and secret values in the message, the traceback
    and any ``extra`` text of the record (``redaction.redact``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.conf import settings

        secrets = secrets_of_settings(settings) if settings.configured else []
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call still gets logged, unformatted
            message = str(record.msg)
        record.msg, record.args = redact(message, secrets), ()
        if record.exc_info:
            # Formatted once here so that the formatter prints the redacted text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, redact(value, secrets))
        return True

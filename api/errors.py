"""The one JSON shape of every API error, and the exceptions the views raise.

Every error answers ``{"error": {"status", "code", "message", "fields"}}``: ``status`` repeats
the HTTP status, ``code`` is a stable machine word, ``message`` a sentence in the request's
language, ``fields`` maps a request field (or query parameter) to its messages (``{}`` when the
error is not about fields; ``"non_field_errors"`` for the request as a whole).

Statuses, as HTTP means them:

* 400 ``invalid_request``: malformed JSON, wrong types, bad query parameters or cursor,
  missing ``Idempotency-Key``;
* 401 ``not_authenticated`` / ``authentication_failed``: no key, or an unknown or revoked one;
* 403 ``permission_denied``: a read-only key (or an organizer) asking for a write;
  ``site_not_provisioned``: the site has no e-commerce;
* 404 ``not_found``: another site's URL or object, or none at all;
* 409 ``conflict``: the request cannot apply to the current state (a code taken meanwhile,
  a refund refused by the payment's state, an ``Idempotency-Key`` reused for another request
  or still running);
* 422 ``validation_failed``: well-formed but refused by the console's own validation;
* 429 ``throttled``: too many requests for this key; ``Retry-After`` says when to retry;
* 503 ``queue_unavailable``: background work cannot be queued now (nothing was done);
  ``Retry-After`` says when to retry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request was refused by validation.")
    default_code = "validation_failed"

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message or self.default_detail, self.default_code)
        self.fields = fields


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"

    def __init__(self, message=None, code=None, fields=None, retry_after: int | None = None):
        super().__init__(message, code)
        self.fields = fields or {}
        self.retry_after = retry_after


class Unavailable(exceptions.APIException):
    """503: a part the request needs is down; nothing was done, try again after a while."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is unavailable right now.")
    default_code = "unavailable"

    def __init__(self, message=None, code=None, retry_after: int = 30):
        super().__init__(message, code)
        self.fields = {}
        self.retry_after = retry_after


class BadRequest(exceptions.ParseError):
    """400 with field errors (query parameters, cursors, headers)."""

    default_code = "invalid_request"

    def __init__(self, fields: dict[str, list[str]], message=None):
        super().__init__(message or _("The request is not valid."), self.default_code)
        self.fields = fields


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as ``{field: [message, …]}`` (``__all__`` → non_field_errors)."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        fields = {}
        for name, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    fields[f"{name}.{sub}"] = messages
            elif isinstance(value, list):
                flat = []
                for item in value:
                    if isinstance(item, dict):
                        for sub, messages in _flatten(item).items():
                            fields[f"{name}.{sub}"] = messages
                    else:
                        flat.append(str(item))
                if flat:
                    fields[name] = flat
            else:
                fields[name] = [str(value)]
        return fields
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {}


def error_body(status_code: int, code: str, message: str, fields=None) -> dict:
    return {
        "error": {
            "status": status_code,
            "code": code,
            "message": str(message),
            "fields": fields or {},
        }
    }


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every error in the one shape above."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    wait = getattr(exc, "wait", None) or getattr(exc, "retry_after", None)
    if wait:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        code, message = "invalid_request", _("The request is not valid.")
    else:
        fields = getattr(exc, "fields", {})
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else exc.default_detail
    if isinstance(exc, exceptions.Throttled):
        code = "throttled"
    set_rollback()
    return Response(
        error_body(exc.status_code, code, str(message), fields),
        status=exc.status_code,
        headers=headers,
    )

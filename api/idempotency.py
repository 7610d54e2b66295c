"""``Idempotency-Key``: a repeated request gets the first answer instead of a second effect.

``idempotent(request, run) -> Response``
    Claims the key for this site and caller by inserting an ``IdempotentRequest`` row
    (committed at once). The request that inserts it runs ``run()`` and stores its successful
    answer; a repeat — before or after that answer — waits for it (polling, up to
    ``API_IDEMPOTENCY_WAIT_SECONDS``) and returns it unchanged. When ``run()`` raises (its
    validation refused the request, or the refund was refused), the claim is removed, so the
    caller may try again with the same key; waiting repeats then take their own turn.
    The same key with another request (method, path or body) is a 409 conflict; a key still
    running after the wait is a 409 with ``Retry-After``.
    A key is kept ``API_IDEMPOTENCY_RETENTION_HOURS`` (24 by default, as Stripe documents
    for its own keys) from its first request: after that, the same key is a new request —
    its stored row is treated as absent even before the purge has deleted it.

``purge_expired(now=None, batch_size=PURGE_BATCH) -> int``
    Deletes the rows older than the retention window, oldest first, ``batch_size`` rows per
    ``DELETE`` (each its own short statement, so a backlog never holds one long lock); returns
    how many. Run on beat by ``api.tasks.purge_idempotency_records``.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import BadRequest, Conflict
from .models import ApiKey, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
POLL_SECONDS = 0.05
PURGE_BATCH = 5000


def expired_before(now: datetime | None = None) -> datetime:
    """Rows created before this moment are expired."""
    hours = settings.API_IDEMPOTENCY_RETENTION_HOURS
    return (now or timezone.now()) - timedelta(hours=hours)


def purge_expired(now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    cutoff = expired_before(now)
    expired = IdempotentRequest.objects.filter(created_at__lt=cutoff)
    purged = 0
    while True:
        oldest = expired.order_by("created_at").values("pk")[:batch_size]
        deleted, _ = IdempotentRequest.objects.filter(pk__in=Subquery(oldest)).delete()
        purged += deleted
        if deleted < batch_size:
            return purged


def _caller(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.prefix}"
    return f"user:{request.user.pk}"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request, run) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(
            {HEADER: [_("Send an Idempotency-Key header (1 to 255 characters).")]},
        )
    identity = {"site": request.site, "caller": _caller(request), "key": key}
    fingerprint = _fingerprint(request)
    deadline = time.monotonic() + getattr(settings, "API_IDEMPOTENCY_WAIT_SECONDS", 10)
    while True:
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(**identity, fingerprint=fingerprint)
        except IntegrityError:
            first = IdempotentRequest.objects.filter(**identity).first()
            if first is None:
                continue  # the first attempt was refused meanwhile: take our turn
            if first.created_at < expired_before():
                # Past the retention window: as if purged, this is a new request.
                IdempotentRequest.objects.filter(pk=first.pk).delete()
                continue
            if first.fingerprint != fingerprint:
                raise Conflict(
                    _("This Idempotency-Key was used for another request."),
                    "idempotency_key_reused",
                ) from None
            if first.response_status:
                return Response(first.response_body, status=first.response_status)
            if time.monotonic() > deadline:
                raise Conflict(
                    _("A request with this Idempotency-Key is still running."),
                    "idempotency_key_in_progress",
                    retry_after=1,
                ) from None
            time.sleep(POLL_SECONDS)
            continue
        return _run_and_store(claim, run)


def _run_and_store(claim: IdempotentRequest, run) -> Response:
    try:
        response = run()
    except BaseException:
        IdempotentRequest.objects.filter(pk=claim.pk).delete()
        raise
    body = json.loads(JSONRenderer().render(response.data))
    IdempotentRequest.objects.filter(pk=claim.pk).update(
        response_status=response.status_code, response_body=body
    )
    return response

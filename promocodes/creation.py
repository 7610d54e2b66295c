"""Creating promotional codes: a batch per press of *Create*, generated in resumable chunks.

``new_batch`` records what to create (a :class:`CreationBatch` holding the
:class:`CreationParams` as JSON); ``generate_batch_codes`` creates its codes, at once or in a
Celery task. Deciding between the two and queueing the task belongs to
``promocodes.tasks.start_creation``: this module never queues anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import ngettext

from sites.history import record
from sites.models import Session, Site
from sites.money import format_number

from . import codegen, dialect
from .models import CreationBatch, PromoCode, PromoCodeSession, Status
from .params import CreationParams

# Above this many codes, creation runs as a Celery task with a progress bar.
SYNC_CREATION_LIMIT = 500
MAX_COLLISION_ROUNDS = 20


class CodeAlreadyExists(Exception):
    """A typed-in code is already used in this site (whatever its case)."""


class CodeSpaceExhausted(Exception):
    """Too few unused codes of the requested length remain: choose a longer length."""


def new_batch(site: Site, actor, params: CreationParams) -> CreationBatch:
    """Record one *Create* (nothing generated yet): ``total`` codes, ``params`` as JSON."""
    return CreationBatch.objects.create(
        site=site,
        service=params.service,
        created_by=actor if getattr(actor, "pk", None) else None,
        total=params.total,
        params=params.to_json(),
    )


def generate_batch_codes(
    batch: CreationBatch | int,
    *,
    chunk_size: int | None = None,
    on_done: Callable[[CreationBatch, CreationParams], None] | None = None,
) -> CreationBatch:
    """Create the codes of a batch, in chunks committed one by one; resumable and idempotent.

    A run starts only from a pending batch, or a running one whose last sign of life is older
    than ``PROMOCODE_BATCH_STALL_SECONDS`` (its worker died): a duplicated task never runs
    beside a live one, and a done or failed batch is left alone (see ``start_run``). Each
    chunk (``PROMOCODE_GENERATION_CHUNK`` codes) locks the batch row, inserts its codes and
    advances ``done`` and ``last_progress_at`` in one transaction, so the next run carries on
    where the last commit stopped and never creates more than ``total``. Codes are inserted
    set-based (see ``pg.insert_codes``); the few generated codes that collide with existing
    ones are drawn again. The call that finishes the batch records one revision and calls
    ``on_done(batch, params)`` inside that transaction (never twice for one batch). The codes
    are not copied into the search table here (``promocodes.search_index``, after the batch).
    A typed-in code already taken raises :class:`CodeAlreadyExists`; too few unused codes of
    the length, :class:`CodeSpaceExhausted`.
    """
    batch_id = batch.pk if isinstance(batch, CreationBatch) else batch
    batch = CreationBatch.objects.select_related("site").get(pk=batch_id)
    if not start_run(batch_id):
        return batch
    params = CreationParams.from_json(batch.params)
    job = _Job(batch, params)
    try:
        _generate_chunks(job, chunk_size or settings.PROMOCODE_GENERATION_CHUNK)
    except Exception:
        # This run is over: the next one (a retry, Retry) may start at once. A worker that
        # dies cannot say so; its batch is found stalled instead (``promocodes.recovery``).
        with contextlib.suppress(DatabaseError):
            release_run(batch_id)
        raise
    with transaction.atomic():
        finished = CreationBatch.objects.filter(
            pk=batch_id, state=CreationBatch.State.RUNNING, done__gte=batch.total
        ).update(state=CreationBatch.State.DONE, finished_at=timezone.now(), error="")
        if finished:
            record(
                batch.site,
                batch.created_by,
                "promocodes.create",
                [],
                summary=lambda: (
                    ngettext(
                        "Created %(count)s promotional code (%(service)s).",
                        "Created %(count)s promotional codes (%(service)s).",
                        batch.total,
                    )
                    % {"count": format_number(batch.total), "service": batch.get_service_display()}
                ),
            )
            if on_done is not None:
                on_done(batch, params)
    batch.refresh_from_db()
    return batch


def _generate_chunks(job: _Job, chunk_size: int) -> None:
    """Commit chunks until the batch has ``total`` codes or is no longer running."""
    batch, params = job.batch, job.params
    recipients = list(params.recipients)
    while True:
        with transaction.atomic():
            done, state = (
                CreationBatch.objects.select_for_update()
                .values_list("done", "state")
                .get(pk=batch.pk)
            )
            if done >= batch.total or state != CreationBatch.State.RUNNING:
                return
            if params.custom_code:
                _insert_custom_code(job)
                size = 1
            else:
                size = min(chunk_size, batch.total - done)
                chunk = recipients[done : done + size] if recipients else [("", "")] * size
                _insert_generated_codes(job, chunk)
            CreationBatch.objects.filter(pk=batch.pk).update(
                done=done + size, last_progress_at=timezone.now()
            )


def start_run(batch_id: int) -> bool:
    """Take the batch for this run: ``running``, one more attempt, a fresh sign of life.

    One conditional UPDATE, so that of two runs (a redelivered message, a task queued again)
    only one starts while the other is alive. False when the batch is done, failed, or
    running in a live worker.
    """
    now = timezone.now()
    stalled = now - timedelta(seconds=settings.PROMOCODE_BATCH_STALL_SECONDS)
    return bool(
        CreationBatch.objects.filter(pk=batch_id)
        .filter(
            Q(state=CreationBatch.State.PENDING)
            | Q(state=CreationBatch.State.RUNNING, last_progress_at__lt=stalled)
        )
        .update(state=CreationBatch.State.RUNNING, attempts=F("attempts") + 1, last_progress_at=now)
    )


def release_run(batch_id: int) -> None:
    """Give a running batch back (``pending``) so that a retry of the task may start it."""
    CreationBatch.objects.filter(pk=batch_id, state=CreationBatch.State.RUNNING).update(
        state=CreationBatch.State.PENDING, last_progress_at=timezone.now()
    )


def mark_batch_failed(batch_id: int, error: str) -> None:
    """A batch that cannot finish: ``error`` is an English msgid, shown translated."""
    CreationBatch.objects.filter(pk=batch_id).exclude(state=CreationBatch.State.DONE).update(
        state=CreationBatch.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def reopen_failed_batch(batch: CreationBatch, actor) -> bool:
    """*Retry*: a failed batch becomes pending again, with its attempts counted anew.

    Records the retry in the site's history. False (nothing changed) unless it was failed.
    The caller queues the generation (``promocodes.tasks.retry_creation``).
    """
    reopened = CreationBatch.objects.filter(pk=batch.pk, state=CreationBatch.State.FAILED).update(
        state=CreationBatch.State.PENDING,
        error="",
        attempts=0,
        finished_at=None,
        last_progress_at=timezone.now(),
        search_indexed=False,
    )
    if reopened:
        record(
            batch.site,
            actor if getattr(actor, "pk", None) else None,
            "promocodes.retry",
            [],
            summary=lambda: (
                ngettext(
                    "Retried the creation of %(count)s promotional code (%(service)s).",
                    "Retried the creation of %(count)s promotional codes (%(service)s).",
                    batch.total,
                )
                % {"count": format_number(batch.total), "service": batch.get_service_display()}
            ),
        )
    return bool(reopened)


@dataclass(frozen=True)
class _Job:
    """The batch being generated and its parameters, read once."""

    batch: CreationBatch
    params: CreationParams


def _code_fields(job: _Job) -> dict:
    batch, params = job.batch, job.params
    return {
        "site_id": batch.site_id,
        "service": params.service,
        "max_uses": params.max_uses,
        "uses": 0,
        "discount_type": params.discount_type,
        "discount_value": params.discount_value,
        "expires_on": params.expires_on,
        "status": Status.ACTIVE,
        "applies_to": params.applies_to,
        "kind": params.kind,
        "batch_id": batch.pk,
        "created_at": timezone.now(),
        "created_by_id": batch.created_by_id,
    }


def _session_ids(job: _Job) -> list[int]:
    batch, params = job.batch, job.params
    if not params.session_ids:
        return []
    # Only sessions of this site and service, whatever the parameters say.
    return list(
        Session.objects.for_site(batch.site)
        .filter(pk__in=params.session_ids, service=params.service)
        .values_list("pk", flat=True)
    )


def _insert_custom_code(job: _Job) -> PromoCode:
    params = job.params
    fields = _code_fields(job)
    email, name = params.recipients[0] if params.recipients else ("", "")
    try:
        with transaction.atomic():
            promo = PromoCode.objects.create(
                code=params.custom_code, recipient_email=email, recipient_name=name, **fields
            )
    except IntegrityError as exc:
        # The unique constraint on (site, UPPER(code)) is the backstop of the form's check.
        raise CodeAlreadyExists(params.custom_code) from exc
    PromoCodeSession.objects.bulk_create(
        PromoCodeSession(promo_code=promo, session_id=sid) for sid in _session_ids(job)
    )
    return promo


def _insert_generated_codes(job: _Job, recipients: list[tuple[str, str]]) -> None:
    """Insert one code per ``(email, name)`` entry, drawing again the codes that collide."""
    params = job.params
    fields = _code_fields(job)
    session_ids = _session_ids(job)
    statements = dialect.current()
    pending = list(recipients)
    for _round in range(MAX_COLLISION_ROUNDS):
        if not pending:
            return
        codes = codegen.generate(params.code_length, len(pending))
        rows = [(code, email, name) for code, (email, name) in zip(codes, pending, strict=True)]
        inserted = statements.insert_codes(fields, rows)
        if session_ids and inserted:
            statements.link_sessions(list(inserted.values()), session_ids)
        pending = [(email, name) for code, email, name in rows if code not in inserted]
    raise CodeSpaceExhausted(params.code_length)

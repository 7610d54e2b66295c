"""Celery tasks of promotional codes, and the one place that queues them.

Tasks: generate a large batch, copy a finished batch's codes into the search table, e-mail
recipients, expire due codes (beat), queue again the work a dead worker left (beat). This
module calls the services (``creation``, ``search_index``, ``expiry``, ``emails``,
``recovery``); they never import it, so what gets queued, and when, is decided here:
``start_creation`` runs a small creation at once and queues a large one; ``retry_creation``
queues a failed one again; a finished batch queues its search indexing (a small one is
indexed at once) and, with recipients, their e-mails.

A broker that cannot take the work (Redis down) costs the caller about a second, never the
~20 s of a result backend (no task keeps a result: ``CELERY_TASK_IGNORE_RESULT``):

* a large creation, or a *Retry*, is queued *inside* its transaction: a refused message
  raises :class:`QueueUnavailable` and rolls everything back (no batch, no history entry), so
  the page can say so. The worker may get the message before the commit: ``generate_batch``
  waits for its batch a few seconds, and gives up quietly on a batch that never appears;
* the e-mails of a finished batch are queued after its commit (their deliveries are rows
  already): a refused message is logged, and ``resume_stalled_work`` queues them later.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError

from sites.models import Site

from . import creation, emails, expiry, recovery, search_index
from .models import CreationBatch, PromoCodeEmail
from .params import CreationParams
from .selectors import codes_of_batch

logger = logging.getLogger(__name__)


# --- Queueing ------------------------------------------------------------------------------


class QueueUnavailable(Exception):
    """The broker refused the work (Redis down): the caller's transaction was rolled back.

    ``message`` is what the Create page and the API tell the person."""

    message = _(
        "Background work is unavailable right now, so this creation cannot start: nothing "
        "was created. Try again in a few minutes."
    )


def _queue_in_transaction(task, *args) -> None:
    """Publish ``task`` now, inside the caller's transaction, so that a refusal rolls it back."""
    try:
        task.delay(*args)
    except OperationalError as exc:
        raise QueueUnavailable(str(exc)) from exc


def start_creation(site: Site, actor, params: CreationParams) -> CreationBatch:
    """Record one *Create* and run it: at once when small, else as a Celery task.

    A small creation happens inside the caller's transaction (all or nothing) and raises
    ``creation.CodeAlreadyExists`` for a taken custom code (or
    ``creation.CodeSpaceExhausted``). A large one is queued inside it: a broker that refuses
    the message raises :class:`QueueUnavailable`, and nothing was created.
    """
    with transaction.atomic():
        batch = creation.new_batch(site, actor, params)
        if batch.total <= creation.SYNC_CREATION_LIMIT:
            generate_codes(batch)
        else:
            _queue_in_transaction(generate_batch, batch.pk)
    return batch


def retry_creation(batch: CreationBatch, actor) -> bool:
    """*Retry* a failed batch: pending again (recorded in history) and queued, at once.

    False when the batch was not failed (nothing is queued). A broker that refuses the
    message raises :class:`QueueUnavailable`; the batch is still failed, nothing recorded.
    """
    with transaction.atomic():
        reopened = creation.reopen_failed_batch(batch, actor)
        if reopened:
            _queue_in_transaction(generate_batch, batch.pk)
    return reopened


def generate_codes(batch: CreationBatch | int) -> CreationBatch:
    """``creation.generate_batch_codes``; once it is done, its codes go into the search table
    (at once for a small batch, else by the worker after commit) and the recipients'
    e-mails are queued."""
    return creation.generate_batch_codes(batch, on_done=_finished)


def _finished(batch: CreationBatch, params: CreationParams) -> None:
    """In the transaction that finishes the batch: its search indexing, then its e-mails."""
    if batch.total <= creation.SYNC_CREATION_LIMIT:
        search_index.index_batch(batch.pk)
    else:
        _index_after_commit(batch.pk)
    _queue_emails(batch, params)


def _index_after_commit(batch_id: int) -> None:
    transaction.on_commit(lambda: index_batch_search.delay(batch_id))


def _queue_emails(batch: CreationBatch, params: CreationParams) -> None:
    """A pending delivery per recipient's code (so that none is forgotten if the worker dies
    now), then their tasks after commit."""
    if any(email for email, _name in params.recipients):
        emails.create_deliveries(
            codes_of_batch(batch).exclude(recipient_email="").values_list("pk", flat=True),
            params.email_language,
        )
        batch_id = batch.pk

        def send() -> None:
            try:
                send_batch_emails.delay(batch_id)
            except OperationalError:
                logger.exception(
                    "E-mails of batch %s not queued; resume_stalled_work queues them", batch_id
                )

        transaction.on_commit(send)


# --- Tasks ---------------------------------------------------------------------------------


@shared_task(bind=True, name="promocodes.tasks.generate_batch", acks_late=True, max_retries=5)
def generate_batch(self, batch_id: int) -> int:
    """Create a batch's codes (resumable: a retry carries on after the last committed chunk).

    Too few unused codes, or a database error that outlasts the retries, or any unexpected
    error: the batch ends *Failed* with a reason the page shows (and offers *Retry*). A batch
    not found yet (queued inside a transaction that has not committed) is waited for, a
    second at a time; one that never appears (its transaction rolled back) is left alone.
    """
    try:
        batch = generate_codes(batch_id)
    except CreationBatch.DoesNotExist:
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=1) from None
        logger.warning("Batch %s does not exist: nothing to create", batch_id)
        return 0
    except creation.CodeSpaceExhausted:
        creation.mark_batch_failed(
            batch_id,
            gettext_noop("Not enough unused codes of this length: choose a longer code length."),
        )
        return 0
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            logger.error("Batch %s failed: %s", batch_id, exc)
            creation.mark_batch_failed(
                batch_id, gettext_noop("The codes could not be created: a database error occurred.")
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    except Exception:
        logger.exception("Batch %s failed", batch_id)
        creation.mark_batch_failed(
            batch_id, gettext_noop("The codes could not be created: an unexpected error occurred.")
        )
        raise
    return batch.done


@shared_task(name="promocodes.tasks.index_batch_search", acks_late=True)
def index_batch_search(batch_id: int) -> int:
    """Copy a finished batch's codes into the search table (``search_index.index_batch``).

    Idempotent; a batch not finished is left alone. A failed batch's codes are indexed by the
    beat task (``resume_stalled_work``), like those of a batch whose task was lost."""
    return search_index.index_batch(batch_id)


@shared_task(name="promocodes.tasks.send_batch_emails", acks_late=True)
def send_batch_emails(batch_id: int) -> int:
    """Queue one e-mail task per code of the batch still to e-mail (not sent, not failed).

    Idempotent: a duplicate queues tasks that find their e-mail already claimed or sent.
    """
    batch = CreationBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return 0
    with_recipient = codes_of_batch(batch).exclude(recipient_email="").values_list("pk", flat=True)
    emails.create_deliveries(with_recipient, CreationParams.from_json(batch.params).email_language)
    code_ids = list(
        PromoCodeEmail.objects.filter(
            promo_code_id__in=with_recipient,
            state__in=[PromoCodeEmail.State.PENDING, PromoCodeEmail.State.SENDING],
        ).values_list("pk", flat=True)
    )
    for code_id in code_ids:
        send_code_email.delay(code_id)
    return len(code_ids)


@shared_task(
    name="promocodes.tasks.send_code_email",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError, DatabaseError),
    retry_backoff=5,
    retry_backoff_max=settings.CELERY_LONGEST_COUNTDOWN_SECONDS,
    retry_jitter=True,
    max_retries=8,
)
def send_code_email(code_id: int) -> str:
    """E-mail one recipient their code, at most once (see ``emails.send_code_email``)."""
    return emails.send_code_email(code_id)


@shared_task(name="promocodes.tasks.expire_due_codes", acks_late=True)
def expire_due_codes(at: str | None = None) -> int:
    """Beat task: mark due codes Expired; ``at`` (ISO 8601) replaces "now" for catch-up/tests."""
    counts = expiry.expire_due_codes(datetime.fromisoformat(at) if at else None)
    return sum(counts.values())


@shared_task(name="promocodes.tasks.resume_stalled_work", acks_late=True)
def resume_stalled_work() -> dict[str, int]:
    """Beat task: queue again the batches and e-mails a dead worker left (``recovery``), and
    the search indexing of finished batches whose task was lost."""
    batch_ids = recovery.stalled_batches()
    for batch_id in batch_ids:
        logger.warning("Batch %s stalled: queued again", batch_id)
        generate_batch.delay(batch_id)
    code_ids = recovery.lost_emails()
    for code_id in code_ids:
        send_code_email.delay(code_id)
    if code_ids:
        logger.warning("%d promo code e-mails were lost: queued again", len(code_ids))
    unindexed = recovery.unindexed_batches()
    for batch_id in unindexed:
        index_batch_search.delay(batch_id)
    return {"batches": len(batch_ids), "emails": len(code_ids), "unindexed": len(unindexed)}

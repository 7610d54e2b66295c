"""Work that stalled silently: batches and e-mails whose worker or message was lost.

A worker killed mid-task (``kill -9``, out of memory, a host restart) leaves its work half
done; Redis delivers the message again only after its visibility timeout (an hour or more),
and the embedded file broker never does. The beat task ``promocodes.tasks.
resume_stalled_work`` calls these functions every ``PROMOCODE_RECOVERY_INTERVAL_SECONDS``
and queues again what they return. Every state change is a conditional UPDATE, so a beat run
racing a worker never undoes the worker's progress; a message queued twice is harmless (a
batch runs in one worker at a time, an e-mail is claimed before it is sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import search_index
from .models import CreationBatch, PromoCodeEmail

BATCH_GAVE_UP = gettext_noop(
    "The creation was interrupted several times and did not finish: press Retry to carry on."
)
EMAIL_GAVE_UP = "gave up: not sent after the maximum number of attempts"
# E-mails queued again per beat run at most (the next run takes the rest).
EMAIL_REQUEUE_LIMIT = 5000


def stalled_batches(now: datetime | None = None) -> list[int]:
    """The batches to queue again; those that used all their attempts end *Failed*.

    A batch is stalled when it is pending or running and its last sign of life is older than
    ``PROMOCODE_BATCH_STALL_SECONDS``. One that already started
    ``PROMOCODE_BATCH_MAX_ATTEMPTS`` runs is failed with :data:`BATCH_GAVE_UP`; each of the
    others is made ``pending`` with a fresh sign of life (so that the next beat run waits a
    whole stall period again) and its id returned.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PROMOCODE_BATCH_STALL_SECONDS)
    unfinished = CreationBatch.objects.filter(
        state__in=[CreationBatch.State.PENDING, CreationBatch.State.RUNNING],
        last_progress_at__lt=cutoff,
    )
    unfinished.filter(attempts__gte=settings.PROMOCODE_BATCH_MAX_ATTEMPTS).update(
        state=CreationBatch.State.FAILED, error=BATCH_GAVE_UP, finished_at=now
    )
    resumed = []
    for batch_id in unfinished.values_list("pk", flat=True):
        if unfinished.filter(pk=batch_id).update(
            state=CreationBatch.State.PENDING, last_progress_at=now
        ):
            resumed.append(batch_id)
    return resumed


def lost_emails(now: datetime | None = None) -> list[int]:
    """The e-mails (code ids) to queue again; those past their attempts end *Failed*.

    Two kinds were lost: a claim older than ``PROMOCODE_EMAIL_CLAIM_SECONDS`` (its worker
    died; the claim may be taken again), and, when no e-mail at all was claimed for a stall
    period, the pending e-mails queued before it (their messages are gone: while workers are
    busy sending, a long queue is only slow, not lost). A sent e-mail is never returned.
    Each one returned gets a fresh ``queued_at``; at most :data:`EMAIL_REQUEUE_LIMIT`.
    """
    now = now or timezone.now()
    stall_cutoff = now - timedelta(seconds=settings.PROMOCODE_BATCH_STALL_SECONDS)
    claim_cutoff = now - timedelta(seconds=settings.PROMOCODE_EMAIL_CLAIM_SECONDS)
    Email = PromoCodeEmail
    Email.objects.filter(
        state=Email.State.PENDING, attempts__gte=settings.PROMOCODE_EMAIL_MAX_ATTEMPTS
    ).update(state=Email.State.FAILED, last_error=EMAIL_GAVE_UP)
    lost = Q(state=Email.State.SENDING, claimed_at__lt=claim_cutoff)
    if not Email.objects.filter(claimed_at__gte=stall_cutoff).exists():
        lost |= Q(state=Email.State.PENDING)
    candidates = Email.objects.filter(lost, queued_at__lt=stall_cutoff)
    ids = list(candidates.order_by("queued_at").values_list("pk", flat=True)[:EMAIL_REQUEUE_LIMIT])
    candidates.filter(pk__in=ids).update(queued_at=now)
    return ids


def unindexed_batches(now: datetime | None = None) -> list[int]:
    """Batches finished ``PROMOCODE_BATCH_STALL_SECONDS`` ago or more whose codes are still
    not in the search table (the task queued when they finished was lost): to index now."""
    now = now or timezone.now()
    return search_index.unindexed_batches(
        now - timedelta(seconds=settings.PROMOCODE_BATCH_STALL_SECONDS)
    )

"""Celery tasks: generate a large batch, e-mail recipients, expire due codes (beat)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext_noop

from . import emails, services
from .models import CreationBatch
from .selectors import codes_of_batch

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="promocodes.tasks.generate_batch", acks_late=True, max_retries=5)
def generate_batch(self, batch_id: int) -> int:
    """Create a batch's codes (resumable: a retry carries on after the last committed chunk)."""
    try:
        batch = services.generate_batch_codes(batch_id)
    except services.CodeSpaceExhausted:
        services.mark_batch_failed(
            batch_id,
            gettext_noop("Not enough unused codes of this length: choose a longer code length."),
        )
        return 0
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            logger.error("Batch %s failed: %s", batch_id, exc)
            services.mark_batch_failed(
                batch_id, gettext_noop("The codes could not be created: a database error occurred.")
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    return batch.done


@shared_task(name="promocodes.tasks.send_batch_emails", acks_late=True)
def send_batch_emails(batch_id: int) -> int:
    """Queue one e-mail task per code of the batch that has a recipient."""
    batch = CreationBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return 0
    code_ids = list(codes_of_batch(batch).exclude(recipient_email="").values_list("pk", flat=True))
    for code_id in code_ids:
        send_code_email.delay(code_id)
    return len(code_ids)


@shared_task(
    name="promocodes.tasks.send_code_email",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError, DatabaseError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_code_email(code_id: int) -> str:
    """E-mail one recipient their code, at most once (see ``emails.send_code_email``)."""
    return emails.send_code_email(code_id)


@shared_task(name="promocodes.tasks.expire_due_codes", acks_late=True)
def expire_due_codes(at: str | None = None) -> int:
    """Beat task: mark due codes Expired; ``at`` (ISO 8601) replaces "now" for catch-up/tests."""
    counts = services.expire_due_codes(datetime.fromisoformat(at) if at else None)
    return sum(counts.values())

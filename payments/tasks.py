"""Celery tasks of the payments app: receipts and the resolver of pending payments."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError

from . import checkout, receipts, refunds, selectors
from .models import PaymentStatus

logger = logging.getLogger(__name__)


@shared_task(
    name="payments.tasks.send_receipt",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError, DatabaseError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def send_receipt(payment_id: int) -> bool:
    return receipts.send_receipt(payment_id)


@shared_task(name="payments.tasks.resolve_pending_payments", acks_late=True)
def resolve_pending_payments(limit: int = 200) -> dict[str, int]:
    """Settle payments left pending by a time-out or an unfinished PayPal checkout.

    Idempotent: each payment is asked about with its own request ids and moves forward only
    once; safe to run on several workers at a time.
    """
    counts: dict[str, int] = {}
    for payment in selectors.payments_to_resolve().select_related("site", "session")[:limit]:
        status = checkout.resolve_pending(payment).status
        counts[status] = counts.get(status, 0) + 1
    if counts:
        logger.info("Resolved pending payments: %s", counts)
    return counts


@shared_task(name="payments.tasks.resolve_pending_refunds", acks_late=True)
def resolve_pending_refunds(limit: int = 100) -> int:
    """Send again, with their own keys, the refunds PayPal did not answer (never twice)."""
    settled = 0
    for refund in refunds.refunds_to_retry()[:limit]:
        if refunds.send_refund(refund).status != PaymentStatus.PENDING:
            settled += 1
    return settled

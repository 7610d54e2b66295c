"""Celery tasks of the payments app: the resolvers of pending payments and refunds.

Tasks call the services; no service imports this module. The receipt task lives with the
receipts (``receipts.send_receipt_task``) and the webhook task with the webhooks
(``webhooks.process_webhook_event_task``); both are registered here too, since the worker
imports every app's ``tasks`` module.
"""

from __future__ import annotations

import logging

from celery import shared_task

from monitoring import log_context

from . import checkout, receipts, refunds, selectors, webhooks
from .models import PaymentStatus
from .receipts import send_receipt_task
from .webhooks import process_webhook_event_task

logger = logging.getLogger(__name__)

__all__ = [
    "process_webhook_event_task",
    "queue_stale_webhook_events",
    "resolve_pending_payments",
    "resolve_pending_refunds",
    "send_due_receipts",
    "send_receipt_task",
]


@shared_task(name="payments.tasks.resolve_pending_payments", acks_late=True)
def resolve_pending_payments(limit: int = 200) -> dict[str, int]:
    """Ask PayPal about the payments whose look is due (``selectors.payments_to_resolve``) and
    settle them (``checkout.reconcile``): no answer yet, collection to retry, money held by
    PayPal, checkouts past their approval window, unpaid ones that reached PayPal.

    Idempotent: each payment is asked about with its own request ids and moves forward only
    once; safe to run on several workers at a time.
    """
    counts: dict[str, int] = {}
    for payment in selectors.payments_to_resolve().select_related("site", "session")[:limit]:
        with log_context.scope():  # this payment's PayPal request id ends with it
            status = checkout.reconcile(payment).status
        counts[status] = counts.get(status, 0) + 1
    if counts:
        logger.info("Resolved pending payments: %s", counts)
    return counts


@shared_task(name="payments.tasks.resolve_pending_refunds", acks_late=True)
def resolve_pending_refunds(limit: int = 100) -> int:
    """Send again, with their own keys, the refunds PayPal did not answer (never twice)."""
    settled = 0
    for refund in refunds.refunds_to_retry()[:limit]:
        with log_context.scope():
            status = refunds.send_refund(refund).status
        if status != PaymentStatus.PENDING:
            settled += 1
    return settled


@shared_task(name="payments.tasks.queue_stale_webhook_events", acks_late=True)
def queue_stale_webhook_events() -> int:
    """Queue again the webhook events stored but never queued (the broker was down)."""
    return webhooks.queue_stale_events()


@shared_task(name="payments.tasks.send_due_receipts", acks_late=True)
def send_due_receipts() -> int:
    """Send the receipts of paid payments that never got one (``receipts.send_due_receipts``:
    their task could not be queued while the broker was down)."""
    return receipts.send_due_receipts()

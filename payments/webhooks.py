"""PayPal webhooks: receiving an event (verify, store once, queue) and processing it once.

``receive(headers, body) -> Answer`` is what ``POST /paypal/webhooks/`` does:

1. The body must be a JSON event with an ``id`` and an ``event_type``, and the delivery must
   carry PayPal's five signature headers; otherwise 400 and PayPal is not even asked.
2. PayPal is asked whether it sent this event (``verify-webhook-signature``, see
   ``provider_gateways.webhook_verifiers`` for which mode is asked). Not confirmed: 400,
   nothing stored (a forged event, or a replay with any change). PayPal could not say (no
   answer, 5xx): 503, nothing stored, and PayPal delivers again later.
3. The event is stored once, by PayPal's event id (a unique column): a repeated delivery
   finds it and answers 200 with nothing changed. The answer is 2xx only once the row is
   committed; a new event is then queued for the worker.

``process_event(pk)`` runs in the worker (``process_webhook_event_task``): it claims the event
(a conditional UPDATE: one worker at a time, never again once processed), counts the
attempt, runs ``paypal_events.handle`` and records the outcome, or the error and ``failed``.
The task retries a failed attempt with a doubling delay (``WEBHOOK_RETRY_SECONDS``, at
most ``WEBHOOK_MAX_ATTEMPTS`` attempts). An event left *received* (the broker was
down when it arrived) is queued again by ``queue_stale_events`` on beat.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import paypal_events
from .gateways.base import GatewayError
from .gateways.paypal_webhooks import Signature
from .models import EventStatus, Mode, WebhookEvent
from .provider_gateways import webhook_verifiers

logger = logging.getLogger(__name__)

# An attempt still "processing" after this long died with its worker: it may be claimed again.
PROCESSING_LEASE = timedelta(minutes=10)
MAX_RETRY_DELAY_SECONDS = 3600.0


@dataclass(frozen=True)
class Answer:
    """The HTTP status to give PayPal, and why (for the log; never shown to anyone else)."""

    status: int
    reason: str


def _parse(body: bytes) -> dict | None:
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    event_id, event_type = event.get("id"), event.get("event_type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        return None
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 64:
        return None
    return event


def verified_mode(signature: Signature, body: bytes, event: dict) -> str | None:
    """The mode whose PayPal confirms it sent this event; None when none does.

    Raises ``GatewayError`` when no mode confirmed it and at least one PayPal could not say.
    """
    unsure = None
    for mode, verifier in webhook_verifiers(event):
        try:
            if verifier.verify(signature, body):
                return mode
        except GatewayError as exc:
            unsure = exc
    if unsure is not None:
        raise unsure
    return None


def receive(headers: Mapping[str, str], body: bytes) -> Answer:
    """Verify and store one delivery; see the module docstring for the answers."""
    event = _parse(body)
    if event is None:
        return Answer(400, "not a PayPal event")
    signature = Signature.from_headers(headers)
    if signature is None:
        return Answer(400, "signature headers missing")
    try:
        mode = verified_mode(signature, body, event)
    except GatewayError as exc:
        logger.warning("Webhook %s: PayPal could not verify it (%s)", event["id"], exc)
        return Answer(503, "PayPal could not verify the event now")
    if mode is None:
        logger.warning("Webhook %s refused: PayPal did not confirm its signature", event["id"])
        return Answer(400, "signature not confirmed by PayPal")
    stored, created = store(event, mode, signature)
    if not created:
        return Answer(200, "already received")
    logger.info("Webhook %s (%s) stored as %s", stored.event_id, stored.event_type, stored.pk)
    return Answer(200, "received")


def store(event: dict, mode: str, signature: Signature) -> tuple[WebhookEvent, bool]:
    """The event's row, created once by PayPal's event id; a new one is queued at commit."""
    resource = event.get("resource") if isinstance(event.get("resource"), dict) else {}
    resource_id = resource.get("id") or resource.get("merchant_id") or ""
    with transaction.atomic():
        stored, created = WebhookEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={
                "event_type": event["event_type"],
                "resource_type": str(event.get("resource_type") or "")[:64],
                "resource_id": str(resource_id)[:64],
                "mode": mode,
                "transmission_id": signature.transmission_id[:64],
                "payload": event,
            },
        )
        if created:
            queue_processing(stored.pk)
    return stored, created


def queue_processing(event_pk: int) -> None:
    """Have the worker process the event once the current transaction commits.

    A broker that cannot take the message leaves the event *received*, answered 200 all the
    same (it is stored): ``queue_stale_events`` queues it again later.
    """

    def send() -> None:
        try:
            process_webhook_event_task.delay(event_pk)
        except Exception:  # noqa: BLE001 - the event is stored; the beat sweep sends it again
            logger.exception("Webhook event %s stored but not queued", event_pk)

    transaction.on_commit(send)


# --- Processing ------------------------------------------------------------------------------


def _claim(event_pk: int) -> bool:
    now = timezone.now()
    claimable = Q(status__in=[EventStatus.RECEIVED, EventStatus.FAILED]) | Q(
        status=EventStatus.PROCESSING, started_at__lt=now - PROCESSING_LEASE
    )
    claimed = WebhookEvent.objects.filter(claimable, pk=event_pk).update(
        status=EventStatus.PROCESSING, attempts=F("attempts") + 1, started_at=now
    )
    return bool(claimed)


def process_event(event_pk: int) -> str:
    """One attempt at the event's effect; returns the status it ends in.

    Raises what the handler raised (after recording it, status *failed*), for the task to
    retry. An event another attempt holds, or already processed or ignored, is left alone.
    """
    if not _claim(event_pk):
        return WebhookEvent.objects.get(pk=event_pk).status
    event = WebhookEvent.objects.get(pk=event_pk)
    resource = event.payload.get("resource") or {}
    try:
        outcome = paypal_events.handle(event.event_type, resource, is_test=event.mode == Mode.TEST)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        WebhookEvent.objects.filter(pk=event_pk, status=EventStatus.PROCESSING).update(
            status=EventStatus.FAILED, error=error[:2000]
        )
        logger.warning(
            "Webhook event %s attempt %s failed: %s", event.event_id, event.attempts, error
        )
        raise
    status = EventStatus.IGNORED if outcome is None else EventStatus.PROCESSED
    WebhookEvent.objects.filter(pk=event_pk, status=EventStatus.PROCESSING).update(
        status=status,
        outcome=(outcome or "event type not handled")[:255],
        processed_at=timezone.now(),
    )
    return status


def retry_delay(retries: int) -> float:
    """Seconds before the next attempt: ``WEBHOOK_RETRY_SECONDS`` doubled per retry."""
    return min(settings.WEBHOOK_RETRY_SECONDS * 2**retries, MAX_RETRY_DELAY_SECONDS)


# No result kept (nobody reads it; see ``receipts.send_receipt_task``).
@shared_task(
    bind=True, name="payments.tasks.process_webhook_event", acks_late=True, ignore_result=True
)
def process_webhook_event_task(self, event_pk: int) -> str:
    try:
        return process_event(event_pk)
    except Exception as exc:
        retries_left = settings.WEBHOOK_MAX_ATTEMPTS - 1
        raise self.retry(
            exc=exc, countdown=retry_delay(self.request.retries), max_retries=retries_left
        ) from exc


def queue_stale_events(older_than_seconds: float = 60) -> int:
    """Queue again the events still *received* after ``older_than_seconds`` (never queued)."""
    quiet = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = WebhookEvent.objects.filter(status=EventStatus.RECEIVED, received_at__lt=quiet)
    pks = list(stale.values_list("pk", flat=True)[:500])
    for pk in pks:
        process_webhook_event_task.delay(pk)
    return len(pks)

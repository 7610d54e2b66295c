"""The receipt e-mail an attendee gets once their payment is paid, and its Celery task.

``queue_receipt(payment_id)`` is how the payment state machine asks for a receipt: the task is
queued once the current transaction commits, and the worker runs ``send_receipt``, which sends
at most once.

A receipt is never lost to the broker: when the task cannot be queued (Redis down or
restarting), the payment stays paid, the page answers as usual and the failure is logged;
``send_due_receipts`` (on beat) sends every receipt still due ``PAYMENT_PENDING_GRACE_SECONDS``
after the payment was paid, within ``RECEIPT_DUE_FOR`` (older payments without a receipt are
left to the operators). Both paths go through ``send_receipt``'s claim: one e-mail at most.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sites.date_display import format_datetime
from sites.email_context import email_language, sender
from sites.money import format_money

from .models import RECEIPT_UNSENT, Payment, PaymentStatus

logger = logging.getLogger(__name__)

# How far back the sweep looks for paid payments whose receipt was never sent.
RECEIPT_DUE_FOR = timedelta(days=7)


def render_receipt(payment: Payment) -> tuple[str, str]:
    """Subject and plain-text body in the attendee's language (that of the page they paid on;
    the site's for older payments), from the site's business name and support information.
    No card number: brand and last 4."""
    site = payment.site
    with translation.override(email_language(payment.language, site)):
        context = {
            "payment": payment,
            **sender(site),
            "fee": format_money(payment.fee, payment.currency),
            "discount": format_money(payment.discount, payment.currency),
            "amount": format_money(payment.amount, payment.currency),
            "paid_on": format_datetime(payment.paid_at, site.tzinfo),
        }
        subject = render_to_string("payments/email/receipt_subject.txt", context)
        body = render_to_string("payments/email/receipt_body.txt", context)
    return " ".join(subject.split()), body


def send_receipt(payment_id: int) -> bool:
    """Send the receipt at most once: ``receipt_sent_at`` is claimed before sending.

    If the mail backend raises, the claim is given back and the error propagates so the task
    retries; a worker dying between claim and send leaves the receipt unsent (ops can resend
    from the admin by clearing ``receipt_sent_at``).
    """
    now = timezone.now()
    claimed = Payment.objects.filter(
        pk=payment_id, status=PaymentStatus.PAID, receipt_sent_at__isnull=True
    ).update(receipt_sent_at=now)
    if not claimed:
        return False
    payment = Payment.objects.select_related("site", "site__commerce", "session").get(pk=payment_id)
    subject, body = render_receipt(payment)
    try:
        EmailMessage(
            subject, body, from_email=settings.DEFAULT_FROM_EMAIL, to=[payment.attendee_email]
        ).send(fail_silently=False)
    except Exception:
        Payment.objects.filter(pk=payment_id, receipt_sent_at=now).update(receipt_sent_at=None)
        raise
    logger.info("Receipt sent for payment %s", payment_id)
    return True


# The name predates this module; kept so that receipts already queued are still delivered.
# No result is kept: nobody reads it, and with a Redis result backend each enqueue would first
# subscribe to the result's channel, which blocks the page ~20 s while Redis is down.
@shared_task(
    name="payments.tasks.send_receipt",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError, DatabaseError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def send_receipt_task(payment_id: int) -> bool:
    return send_receipt(payment_id)


def queue_receipt(payment_id: int) -> None:
    """Have the worker send this payment's receipt once the current transaction commits.

    A broker that cannot take the task does not fail the caller (the payment is committed
    paid by then): it is logged, and ``send_due_receipts`` sends the receipt later."""

    def send() -> None:
        try:
            send_receipt_task.delay(payment_id)
        except Exception:  # noqa: BLE001 - the payment is paid; the beat sweep sends it
            logger.exception(
                "Receipt of payment %s not queued; the receipt sweep sends it", payment_id
            )

    transaction.on_commit(send)


def due_receipts(now=None):
    """The ids of the payments whose receipt is due, oldest first: paid more than
    ``PAYMENT_PENDING_GRACE_SECONDS`` ago (and within ``RECEIPT_DUE_FOR``), receipt never
    sent (``RECEIPT_UNSENT``, the condition of the partial index ``payment_receipt_due``, which
    this query reads by ``paid_at``)."""
    now = now or timezone.now()
    return (
        Payment.objects.filter(
            RECEIPT_UNSENT,
            paid_at__lte=now - timedelta(seconds=settings.PAYMENT_PENDING_GRACE_SECONDS),
            paid_at__gte=now - RECEIPT_DUE_FOR,
        )
        .order_by("paid_at")
        .values_list("pk", flat=True)
    )


def send_due_receipts(limit: int = 200) -> int:
    """Send the receipts still due (``due_receipts``) — their task could not be queued, or
    was lost — at most ``limit`` per run. Returns how many were sent. A failure to send one is
    logged and left for the next run; the others go on."""
    due = due_receipts()[:limit]
    sent = 0
    for payment_id in list(due):
        try:
            sent += send_receipt(payment_id)
        except Exception:  # noqa: BLE001 - this receipt waits for the next run, not the others
            logger.exception(
                "Receipt of payment %s could not be sent; tried again later", payment_id
            )
    if sent:
        logger.info("Sent %s receipts that were due", sent)
    return sent

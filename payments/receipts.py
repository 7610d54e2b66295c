"""The receipt e-mail an attendee gets once their payment is paid, and its Celery task.

``queue_receipt(payment_id)`` is how the payment state machine asks for a receipt: the task is
queued once the current transaction commits, and the worker runs ``send_receipt``, which sends
at most once.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sites.date_display import format_datetime
from sites.email_context import email_language, sender
from sites.money import format_money

from .models import Payment, PaymentStatus

logger = logging.getLogger(__name__)


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
@shared_task(
    name="payments.tasks.send_receipt",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError, DatabaseError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def send_receipt_task(payment_id: int) -> bool:
    return send_receipt(payment_id)


def queue_receipt(payment_id: int) -> None:
    """Have the worker send this payment's receipt once the current transaction commits."""
    transaction.on_commit(lambda: send_receipt_task.delay(payment_id))

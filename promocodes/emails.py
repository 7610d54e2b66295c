"""The e-mail that gives a recipient their promotional code, in the site's language."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sites.date_display import format_date
from sites.email_context import email_language, sender

from .formatting import format_discount
from .models import PromoCode, PromoCodeEmail, Status

logger = logging.getLogger(__name__)


def render_code_email(code: PromoCode, language: str = "") -> tuple[str, str]:
    """Subject and plain-text body in ``language`` (the one chosen for the recipient at
    creation; blank: the site's), from the site's business name and support information
    (``sites.email_context``).
    """
    site = code.site
    with translation.override(email_language(language, site)):
        context = {
            "code": code,
            "recipient_name": code.recipient_name or code.recipient_email.split("@")[0],
            **sender(site),
            "discount": format_discount(code.discount_type, code.discount_value, site.currency),
            "expires_on": format_date(code.expires_on),
            "service": code.get_service_display(),
            "unlimited": code.max_uses is None,
        }
        subject = render_to_string("promocodes/email/code_subject.txt", context)
        body = render_to_string("promocodes/email/code_body.txt", context)
    return " ".join(subject.split()), body


def send_code_email(code_id: int) -> str:
    """Send one code's e-mail once; returns the delivery state afterwards.

    The delivery row is claimed ``pending → sending`` by one conditional UPDATE before the
    message leaves, so two workers (or a duplicated task) never both send. An error raised by
    the mail backend means the message did not leave: the claim is given back (``pending``)
    and the exception propagates so that Celery retries with backoff. A worker that dies
    between claim and send leaves ``sending``: that claim may be taken again once it is older
    than ``PROMOCODE_EMAIL_CLAIM_SECONDS`` (longer than the SMTP timeout, so the claim of a
    live sender never expires). ``sent`` is final. The one window left is a worker that dies
    after the SMTP server accepted the message and before ``sent`` is written: then the
    recipient may receive it twice.
    """
    PromoCodeEmail.objects.get_or_create(promo_code_id=code_id)
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PROMOCODE_EMAIL_CLAIM_SECONDS)
    claimed = (
        PromoCodeEmail.objects.filter(pk=code_id)
        .filter(
            Q(state=PromoCodeEmail.State.PENDING)
            | Q(state=PromoCodeEmail.State.SENDING, claimed_at__lt=stale)
        )
        .update(state=PromoCodeEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return PromoCodeEmail.objects.get(pk=code_id).state
    code = PromoCode.objects.select_related("site").get(pk=code_id)
    if code.status == Status.DELETED or not code.recipient_email:
        PromoCodeEmail.objects.filter(pk=code_id).update(
            state=PromoCodeEmail.State.FAILED, last_error="deleted or no recipient: not sent"
        )
        return PromoCodeEmail.State.FAILED
    language = PromoCodeEmail.objects.filter(pk=code_id).values_list("language", flat=True).get()
    subject, body = render_code_email(code, language)
    message = EmailMessage(
        subject, body, from_email=settings.DEFAULT_FROM_EMAIL, to=[code.recipient_email]
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        PromoCodeEmail.objects.filter(pk=code_id, state=PromoCodeEmail.State.SENDING).update(
            state=PromoCodeEmail.State.PENDING, last_error=repr(exc)[:1000]
        )
        raise
    PromoCodeEmail.objects.filter(pk=code_id, state=PromoCodeEmail.State.SENDING).update(
        state=PromoCodeEmail.State.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info("promo code %s e-mailed", code_id)
    return PromoCodeEmail.State.SENT


def create_deliveries(code_ids, language: str = "") -> None:
    """A ``pending`` delivery row for each code id not having one (``queued_at`` now), its
    e-mail to be written in ``language`` (blank: the site's)."""
    now = timezone.now()
    PromoCodeEmail.objects.bulk_create(
        (
            PromoCodeEmail(promo_code_id=code_id, queued_at=now, language=language)
            for code_id in code_ids
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )

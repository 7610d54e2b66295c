"""Recording PayPal's word on a payment: every change of a payment's status goes through here.

Contract:
* ``transition`` is a conditional UPDATE (``status IN from → to``): of two requests acting on
  one payment, exactly one wins; the others see ``False`` and do nothing more.
* ``settle(payment, result)``: approved → ``mark_paid``; held by PayPal → ``mark_held``;
  otherwise the open payment ends declined or failed and its promo code use goes back.
* ``mark_paid`` moves a payment to paid from **any** other status: money PayPal collected is
  never left on a cancelled, failed or abandoned payment. A promo code use given back earlier is
  taken again when the code still allows it; otherwise the discount PayPal already charged for
  is honoured (the payment keeps its code and discount, without a use). Registration and
  receipt follow, once.
* ``end_unpaid`` ends an open payment without the money, gives the code use back and, when
  the attempt reached PayPal (it has an order id or token), schedules one later look at PayPal
  (``next_check_at``) so that money collected against all expectations still ends paid.
* ``postpone`` records a visit of the resolver that got no final answer and when to look
  again: the first retry comes at the next run, each further one waits twice as long
  (``PAYMENT_RETRY_BACKOFF_SECONDS``, capped by ``PAYMENT_RETRY_BACKOFF_MAX_SECONDS``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from promocodes import redemption

from .gateways.base import GatewayResult, Outcome
from .models import (
    OPEN_STATUSES,
    RECHECKED_STATUSES,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Registration,
)
from .receipts import queue_receipt

logger = logging.getLogger(__name__)


def transition(payment: Payment, from_statuses, to_status, **fields) -> bool:
    """Move the payment forward only from an expected status; True for the one caller that did."""
    changed = Payment.objects.filter(pk=payment.pk, status__in=from_statuses).update(
        status=to_status, updated_at=timezone.now(), **fields
    )
    return bool(changed)


def reload(payment: Payment) -> Payment:
    return Payment.objects.select_related("site", "session", "promo_use", "promo_code").get(
        pk=payment.pk
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` visits without an answer: 0 after the first, then doubling."""
    if attempts <= 1:
        return timedelta(0)
    seconds = settings.PAYMENT_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 2)
    return timedelta(seconds=min(seconds, settings.PAYMENT_RETRY_BACKOFF_MAX_SECONDS))


def postpone(payment: Payment) -> int:
    """Count one visit without a final answer and set when to look again; returns the count."""
    attempts = payment.resolve_attempts + 1
    Payment.objects.filter(pk=payment.pk).update(
        resolve_attempts=attempts,
        next_check_at=timezone.now() + retry_delay(attempts),
        updated_at=timezone.now(),
    )
    payment.resolve_attempts = attempts
    return attempts


def attempts_exhausted(payment: Payment) -> bool:
    return payment.resolve_attempts >= settings.PAYMENT_RETRY_MAX_ATTEMPTS


def _result_fields(result: GatewayResult) -> dict:
    fields = {"result_code": result.code[:64], "result_message": result.message[:255]}
    if result.reference:
        fields["gateway_reference"] = result.reference[:64]
    return fields


def settle(payment: Payment, result: GatewayResult) -> Payment:
    """Record PayPal's verdict (see the module doc)."""
    if result.approved:
        return mark_paid(payment, result)
    if result.held:
        return mark_held(payment, result)
    fields = _result_fields(result)
    # PayPal refused money it held (review rejected, eCheck bounced, capture denied): failed.
    if not end_unpaid(payment, PaymentStatus.FAILED, (PaymentStatus.AWAITING_PAYPAL,), **fields):
        status = (
            PaymentStatus.DECLINED if result.outcome is Outcome.DECLINED else PaymentStatus.FAILED
        )
        end_unpaid(payment, status, OPEN_STATUSES, **fields)
    return reload(payment)


def mark_paid(payment: Payment, result: GatewayResult) -> Payment:
    """PayPal collected the money: paid, whatever the payment's status was (module doc)."""
    others = [s for s in PaymentStatus.values if s != PaymentStatus.PAID]
    with transaction.atomic():
        won = transition(
            payment,
            others,
            PaymentStatus.PAID,
            paid_at=timezone.now(),
            held_reason="",
            next_check_at=None,
            **_result_fields(result),
        )
        if won:
            if payment.promo_code_id:
                _retake_code(reload(payment))  # the code use as it stands now
            register(payment)
            queue_receipt(payment.pk)
    return reload(payment)


def register(payment: Payment) -> None:
    """The attendee's registration for the paid ``payment``, once: one INSERT that does nothing
    when the payment has one already (a payment paid again after a refund, a race).

    Reads only what a payment never changes after its creation (site, session, attendee)."""
    Registration.objects.bulk_create(
        [
            Registration(
                payment_id=payment.pk,
                site_id=payment.site_id,
                session_id=payment.session_id,
                attendee_name=payment.attendee_name,
                attendee_email=payment.attendee_email,
            )
        ],
        ignore_conflicts=True,
    )


def mark_held(payment: Payment, result: GatewayResult) -> Payment:
    """PayPal accepted the payment but holds the money: awaiting PayPal, with its reason.

    No registration, no receipt; the code use stays held (taken again if it had been given
    back). The resolver looks again after the grace period, then less and less often."""
    keep = (PaymentStatus.PAID, PaymentStatus.AWAITING_PAYPAL)
    others = [s for s in PaymentStatus.values if s not in keep]
    with transaction.atomic():
        won = transition(
            payment,
            others,
            PaymentStatus.AWAITING_PAYPAL,
            held_reason=(result.pending_reason or "other")[:64],
            next_check_at=None,
            resolve_attempts=0,
            **_result_fields(result),
        )
        if won:
            _retake_code(reload(payment))
    return reload(payment)


def end_unpaid(payment: Payment, status: str, from_statuses, **fields) -> bool:
    """End an open payment without the money; gives the code use back (module doc)."""
    reached_paypal = payment.method == PaymentMethod.PAYPAL and bool(payment.gateway_order_id)
    recheck = (
        timezone.now() + timedelta(seconds=settings.PAYMENT_PENDING_GRACE_SECONDS)
        if reached_paypal and status in RECHECKED_STATUSES
        else None
    )
    won = transition(
        payment, from_statuses, status, next_check_at=recheck, resolve_attempts=0, **fields
    )
    if won:
        release_code(payment)
    return won


def release_code(payment: Payment) -> None:
    payment = reload(payment)
    if payment.promo_use_id:
        redemption.release(payment.promo_use)


def _retake_code(payment: Payment) -> None:
    """Hold the code use again for a payment whose use was given back (call in a transaction)."""
    if not payment.promo_code_id:
        return
    if payment.promo_use_id and payment.promo_use.released_at is None:
        return
    try:
        use = redemption.redeem(
            payment.site,
            payment.promo_code,
            payment.session,
            reference=str(payment.idempotency_key),
        )
    except redemption.PromoCodeRefused as refused:
        logger.warning(
            "Payment %s: PayPal collected the discounted amount but code %s is no longer "
            "available (%s); the discount is honoured without a use",
            payment.pk,
            payment.promo_code_id,
            refused.message,
        )
        return
    Payment.objects.filter(pk=payment.pk).update(promo_use=use)


def free_result() -> GatewayResult:
    return GatewayResult(Outcome.APPROVED, "0", str(_("Fully covered by the promo code.")))


def error_result(message: str) -> GatewayResult:
    return GatewayResult(Outcome.ERROR, "ERROR", message)

"""Refunds of paid payments: in full or in part, idempotent, never more than was charged.

``refund_payment(payment, amount, actor) -> Refund``
    Locks the payment row, re-checks what can still be refunded, creates the ``Refund`` row
    with its own idempotency key, commits, then asks PayPal (``send_refund``). Raises
    ``RefundRefused``, before anything is sent, when the payment is not paid, when a refund
    of it is still waiting for PayPal's answer (it may have happened: a second one could give
    back twice; one pending refund per payment is also a database constraint), when the
    provider may not refund now (``provider_gateways.refund_refusal``: e.g. an Express
    Checkout merchant whose PayPal id is unknown or whose consent was revoked), or when
    nothing or not that much is left.
``send_refund(refund) -> Refund``
    Sends (or re-sends) a pending refund with **its** idempotency key, so a retry after a
    time-out or a 5xx never refunds twice, and records the answer. On approval, and only once,
    ``Payment.refunded_amount`` grows by one ``F()`` UPDATE. No answer (time-out, 5xx) leaves
    the refund pending and counts one attempt: the beat task sends it again, with backoff, at
    most ``PAYMENT_RETRY_MAX_ATTEMPTS`` times (the administrator's *Retry* always may).

The gateway (``provider_gateways.refund_gateway_for``): Payflow-family providers credit the
sale's PNREF (``TRXTYPE=C``, ``ORIGID``, ``TENDER=P`` for a PayPal-button payment) with the
site's Payflow account; Express Checkout
US/CA refunds the Orders v2 capture through Payments v2 with the platform's credentials.
Test payments go to PayPal's test endpoints, live ones to the live endpoints. The PayPal call
is made outside any database transaction, so no row stays locked while PayPal thinks.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sites import history
from sites.money import format_money

from .gateways.base import GatewayError, GatewayResult, GatewayTimeout, Outcome
from .models import Payment, PaymentStatus, Refund
from .provider_gateways import refund_gateway_for, refund_refusal
from .selectors import available_to_refund, pending_refunds_total, quiet_pending
from .settlement import retry_delay

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
REFUND_DONE = PaymentStatus.PAID  # a Refund "paid" is money given back


class RefundRefused(Exception):
    """The refund cannot be made (not paid, nothing left, more than what is left)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refund_payment(payment: Payment, amount: Decimal | None, actor) -> Refund:
    """Refund ``amount`` (``None``: all that is left) of a paid payment; see the module doc."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.PAID:
            raise RefundRefused(_("Only a paid payment can be refunded."))
        waiting = pending_refunds_total(locked)
        if waiting:
            raise RefundRefused(
                _(
                    "A refund of %(amount)s is still waiting for PayPal's answer. "
                    "Retry it below; a new refund can be made once PayPal has answered."
                )
                % {"amount": format_money(waiting, locked.currency)}
            )
        refusal = refund_refusal(locked)
        if refusal:
            raise RefundRefused(refusal)
        available = available_to_refund(locked)
        if available <= 0:
            raise RefundRefused(_("Nothing is left to refund on this payment."))
        if amount is None:
            amount = available
        amount = Decimal(amount).quantize(CENT)
        if amount <= 0:
            raise RefundRefused(_("Enter an amount greater than zero."))
        if amount > available:
            raise RefundRefused(
                _("At most %(amount)s can be refunded.")
                % {"amount": format_money(available, locked.currency)}
            )
        refund = Refund.objects.create(
            payment=locked, amount=amount, created_by=actor, status=PaymentStatus.PENDING
        )
    refund = send_refund(refund)
    _record_revision(refund, actor)
    return refund


def refunds_to_retry() -> QuerySet[Refund]:
    """Refunds PayPal did not answer, left alone for ``PAYMENT_PENDING_GRACE_SECONDS``, whose
    next attempt is due and that have attempts left: to be sent again with their own keys,
    oldest first."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    return (
        quiet_pending(Refund.objects.all(), "created_at")
        .filter(due, attempts__lt=settings.PAYMENT_RETRY_MAX_ATTEMPTS)
        .order_by("created_at")
    )


def retry_refund(refund: Refund, actor) -> Refund:
    """Send a refund left pending (no answer from PayPal) again, with the same key."""
    was_pending = refund.status == PaymentStatus.PENDING
    refund = send_refund(refund)
    if was_pending:
        _record_revision(refund, actor, retry=True)
    return refund


def _record_revision(refund: Refund, actor, *, retry: bool = False) -> None:
    payment = refund.payment

    def summary() -> str:
        outcome = {
            REFUND_DONE: _("refunded"),
            PaymentStatus.PENDING: _("pending: PayPal did not answer"),
        }.get(refund.status) or _("refused: %(message)s") % {"message": refund.result_message}
        template = (
            _("Refund retried: %(amount)s on payment %(reference)s, %(outcome)s")
            if retry
            else _("Refund of %(amount)s on payment %(reference)s, %(outcome)s")
        )
        return template % {
            "amount": format_money(refund.amount, payment.currency),
            "reference": payment.reference,
            "outcome": outcome,
        }

    history.record(payment.site, actor, "transactions.refund", [], summary=summary)


def send_refund(refund: Refund) -> Refund:
    """Ask PayPal for a pending refund (again) with its own key, and record the answer."""
    refund = Refund.objects.select_related("payment", "payment__site").get(pk=refund.pk)
    if refund.status != PaymentStatus.PENDING:
        return refund  # answered already: never sent twice
    payment = refund.payment
    try:
        result = _call_gateway(payment, refund)
    except GatewayTimeout:
        logger.warning("Refund %s of payment %s: no answer from PayPal", refund.pk, payment.pk)
        attempts = refund.attempts + 1
        Refund.objects.filter(pk=refund.pk).update(
            attempts=attempts, next_attempt_at=timezone.now() + retry_delay(attempts)
        )
        return Refund.objects.select_related("payment").get(pk=refund.pk)
    except (GatewayError, ObjectDoesNotExist):
        logger.warning("Refund %s of payment %s: gateway unusable", refund.pk, payment.pk)
        result = GatewayResult(
            outcome=Outcome.ERROR,
            code="CONFIG",
            message=_("The payment provider's settings do not allow this refund."),
        )
    return record_result(refund, result)


def record_result(refund: Refund, result: GatewayResult) -> Refund:
    """Settle a pending refund from PayPal's answer. Idempotent: the first answer wins, and
    ``refunded_amount`` grows only on the transition pending → done."""
    fields = {
        "result_code": str(result.code)[:64],
        "result_message": str(result.message)[:255],
        "gateway_reference": (result.reference or "")[:64],
    }
    with transaction.atomic():
        if result.approved:
            won = Refund.objects.filter(pk=refund.pk, status=PaymentStatus.PENDING).update(
                status=REFUND_DONE, **fields
            )
            if won:
                Payment.objects.filter(pk=refund.payment_id).update(
                    refunded_amount=F("refunded_amount") + refund.amount
                )
        else:
            Refund.objects.filter(pk=refund.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, **fields
            )
    logger.info(
        "Refund %s of payment %s: %s %s", refund.pk, refund.payment_id, result.outcome, result.code
    )
    return Refund.objects.select_related("payment").get(pk=refund.pk)


def refund_request_id(refund: Refund) -> str:
    """The PayPal request id of a refund: its key, identical on every retry (32 characters,
    Payflow's limit)."""
    return refund.idempotency_key.hex


def _call_gateway(payment: Payment, refund: Refund) -> GatewayResult:
    gateway = refund_gateway_for(payment)
    return gateway.refund(
        payment.gateway_reference, refund.amount, payment.currency, refund_request_id(refund)
    )

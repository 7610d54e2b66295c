"""The payment state machine: card sales, PayPal checkouts, and settling their outcome.

What can be paid and at what price (``Offer``, ``quote``) are reads, in ``selectors``; how a
verdict is recorded (status changes, the code use, registration and receipt) is
``settlement``; what the attendee is told about an ending is ``attendee_messages``. The
states and the rules an attendee and an administrator see are in docs/payments.md.

Contract:
* The amount is always computed here from the session's fee and the promo code; nothing the
  browser sends about prices is read.
* One ``Payment`` per attempt. Its ``idempotency_key`` derives every PayPal request id
  (``request_id(payment, step)``), so a double submit or a retry of the same attempt reaches
  PayPal with the same id and is answered with the original result, never charged twice.
* A promo code use is taken (``promocodes.redemption.redeem``) before PayPal is asked, so that
  N uses are never exceeded, and given back when the payment ends declined, failed, cancelled
  or abandoned. A PayPal checkout holds it for ``PAYMENT_APPROVAL_WINDOW_MINUTES`` at most.
* Status moves only through ``settlement.transition`` (a conditional UPDATE), so two requests
  acting on the same payment cannot both act on it. PayPal collection starts with the
  conditional move pending → collecting: from then on the payment cannot be cancelled.
* No answer (time-out, dropped connection, 5xx) leaves the payment *pending* or *collecting*;
  ``reconcile`` (the beat resolver, and the webhook handlers) asks PayPal later with the same
  request id and settles it on PayPal's real answer.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from promocodes import redemption
from sites.models import Session, Site

from .attendee_messages import ENDINGS
from .gateways.base import CardDetails, GatewayError, GatewayResult, GatewayTimeout, Outcome
from .gateways.payflow_wire import NOT_FOUND
from .models import (
    FINAL_STATUSES,
    RECHECKED_STATUSES,
    Mode,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from .provider_gateways import card_gateway_for, redirect_gateway_for
from .selectors import Offer, Quote
from .settlement import (
    attempts_exhausted,
    end_unpaid,
    error_result,
    free_result,
    postpone,
    reload,
    settle,
    transition,
)

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


def request_id(payment: Payment, step: str) -> str:
    """The PayPal request id of one step of this payment attempt (stable across retries)."""
    return f"{payment.idempotency_key.hex}-{step}"


# --- Creating an attempt --------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    language: str = ""  # the page's language: the receipt's (blank: the site's)


def begin(
    site: Site,
    session: Session,
    offer: Offer,
    attendee: Attendee,
    price: Quote,
    method: str,
    attempt_key: uuid.UUID,
    *,
    card_brand: str = "",
    card_last4: str = "",
) -> Payment:
    """The payment of this attempt, created once, at its final amount.

    ``price`` is the page's ``selectors.quote`` of the code the attendee typed (the code is
    looked up there, once): its promo code use is taken here (``redemption.redeem``), then the
    payment is created with that discount. Raises ``promocodes.redemption.PromoCodeRefused``
    when the quote refused the code or the use cannot be taken (nothing is kept then). A
    second call with the same ``attempt_key`` returns the same payment. A card payment's
    creation does not wait for the disk (``_commit_without_waiting_for_the_disk``): its move
    to pending, before the charge, does.
    """
    existing = Payment.objects.filter(idempotency_key=attempt_key, site=site, session=session)
    payment = existing.first()
    if payment is not None:
        return payment
    if price.refusal_reason:
        raise redemption.PromoCodeRefused(price.refusal_reason)
    own_transaction = not transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic():
            if method == PaymentMethod.CARD and own_transaction:
                _commit_without_waiting_for_the_disk()
            use = None
            if price.code is not None:
                use = redemption.redeem(site, price.code, session, reference=str(attempt_key))
            payment = Payment.objects.create(
                site=site,
                session=session,
                attendee_name=attendee.name,
                attendee_email=attendee.email,
                language=attendee.language,
                fee=price.fee,
                discount=price.discount,
                amount=price.amount,
                promo_code=price.code,
                promo_use=use,
                currency=site.currency,
                provider=offer.account.kind,
                method=method,
                is_test=offer.commerce.mode == Mode.TEST,
                idempotency_key=attempt_key,
                card_brand=card_brand,
                card_last4=card_last4,
            )
    except IntegrityError:
        # The same attempt created concurrently (double submit): use that one.
        return Payment.objects.get(idempotency_key=attempt_key)
    return payment


def _commit_without_waiting_for_the_disk() -> None:
    """Let the current transaction's COMMIT return before its WAL is on disk (PostgreSQL's
    ``synchronous_commit`` off, for this transaction only).

    Safe for the creation of a card payment, and only there: nothing is sent to PayPal before
    ``pay_by_card`` moves the payment to pending, a durable COMMIT that flushes the WAL up to
    itself, this creation and its code use included. A crash in between loses the attempt and
    its code use together, before any money moved (the attendee's request fails; the same
    attempt sent again creates it anew). A PayPal checkout is created at PayPal before its
    payment moves on, so its creation stays durable."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# --- Card ---------------------------------------------------------------------------------


def pay_by_card(payment: Payment, card: CardDetails) -> Payment:
    """Charge the card (Payflow sale) and settle the payment; safe to call twice."""
    if payment.status in FINAL_STATUSES:
        return payment
    if payment.amount == 0:
        return settle(payment, free_result())
    if not transition(payment, (PaymentStatus.CREATED,), PaymentStatus.PENDING):
        return reload(payment)  # sent already (double submit), or abandoned meanwhile
    client = card_gateway_for(payment)
    try:
        result = client.sale(
            card,
            payment.amount,
            payment.currency,
            request_id(payment, "sale"),
            invoice=f"WX{payment.pk}",
        )
    except GatewayTimeout:
        logger.warning("Payment %s: no answer from PayPal, left pending", payment.pk)
        return reload(payment)
    except GatewayError as exc:
        logger.error("Payment %s: gateway error %s", payment.pk, type(exc).__name__)
        return settle(payment, error_result(str(_("PayPal could not process the payment."))))
    return settle(payment, result)


# --- PayPal (Express Checkout via Payflow, or Orders v2) -------------------------------------


def approval_deadline(payment: Payment) -> datetime:
    """Until when a PayPal checkout may wait for the attendee (and hold their code use)."""
    return payment.created_at + timedelta(minutes=settings.PAYMENT_APPROVAL_WINDOW_MINUTES)


def start_paypal(payment: Payment, return_url: str, cancel_url: str) -> str | None:
    """Create PayPal's checkout; returns the approval URL, or None when PayPal refused."""
    if payment.status != PaymentStatus.CREATED:
        return None
    if payment.amount == 0:
        settle(payment, free_result())
        return None
    gateway = redirect_gateway_for(payment)
    try:
        checkout = gateway.start_checkout(
            payment.amount,
            payment.currency,
            return_url,
            cancel_url,
            request_id(payment, "start"),
            description=payment.session.title,
        )
    except GatewayError:
        settle(payment, error_result(str(_("PayPal could not be reached. Please try again."))))
        return None
    if not checkout.approval_url:
        settle(payment, checkout.result)
        return None
    if not transition(
        payment, (PaymentStatus.CREATED,), PaymentStatus.PENDING, gateway_order_id=checkout.token
    ):
        return None
    return checkout.approval_url


def complete_paypal(payment: Payment, token: str, payer_id: str) -> Payment:
    """The buyer approved on PayPal: collect the money (idempotent by the attempt's id).

    Only the request that moves the payment pending → collecting sends the capture; any
    other (a second return, a return after cancel or after the approval window) changes
    nothing."""
    if token != payment.gateway_order_id:
        return payment
    if not transition(payment, (PaymentStatus.PENDING,), PaymentStatus.COLLECTING):
        return reload(payment)
    return _collect(reload(payment), payer_id)


def _collect(payment: Payment, payer_id: str = "") -> Payment:
    """Ask PayPal to collect a payment that is *collecting*, with the attempt's collection id
    (a repeat is answered with the original result). No answer: stays collecting."""
    gateway = redirect_gateway_for(payment)
    try:
        result = gateway.complete_checkout(
            payment.gateway_order_id,
            payer_id,
            payment.amount,
            payment.currency,
            request_id(payment, "collect"),
        )
    except GatewayTimeout:
        logger.warning("Payment %s: no final answer to the collection, kept", payment.pk)
        postpone(payment)
        return reload(payment)
    except GatewayError:
        return settle(payment, error_result(str(_("PayPal could not process the payment."))))
    return settle(payment, result)


def cancel_paypal(payment: Payment) -> Payment:
    """The attendee cancelled: only a checkout PayPal shows as not approved ends *cancelled*
    (code use given back). Once the buyer approved (the return may be collecting right now),
    once collection started, after any end, or when PayPal cannot say, it changes nothing:
    the approval window ends a checkout left alone."""
    payment = reload(payment)
    if payment.status != PaymentStatus.PENDING:
        return payment
    try:
        approved = redirect_gateway_for(payment).buyer_approved(payment.gateway_order_id)
    except GatewayError:
        logger.warning("Payment %s: PayPal could not say whether it was approved", payment.pk)
        return payment
    if approved:
        return payment
    end_unpaid(
        payment,
        PaymentStatus.CANCELLED,
        (PaymentStatus.PENDING,),
        result_message=str(ENDINGS[PaymentStatus.CANCELLED]),
    )
    return reload(payment)


# --- Asking PayPal later ---------------------------------------------------------------------


def reconcile(payment: Payment) -> Payment:
    """Ask PayPal now what became of ``payment`` and settle it, whatever its state.

    Idempotent and safe to call concurrently and from any state (each change is a conditional
    UPDATE; every money-moving call repeats the attempt's own request id). This is what the
    beat resolver does for each payment it picks, and what a PayPal webhook about a payment
    (capture completed, pending or denied; order approved) should call:

    * created, older than the approval window → abandoned (nothing was sent to PayPal).
    * pending card sale → Payflow inquiry by the sale's request id (not found → failed).
    * pending PayPal checkout → lookup: collected → paid; held → awaiting PayPal; approved
      but the buyer never came back, within the approval window → collected now; past the
      window → abandoned (nothing collected).
    * collecting → the collection is sent again with the same request id; after
      ``PAYMENT_RETRY_MAX_ATTEMPTS`` visits without an answer → failed (and re-checked later).
    * awaiting PayPal → lookup: collected → paid (receipt); refused → failed (code back).
    * cancelled, failed or abandoned after reaching PayPal → one later lookup: collected →
      paid after all.
    """
    payment = reload(payment)
    status = payment.status
    if status == PaymentStatus.CREATED:
        if timezone.now() > approval_deadline(payment):
            _abandon(payment, (PaymentStatus.CREATED,))
        return reload(payment)
    if status == PaymentStatus.COLLECTING:
        if attempts_exhausted(payment):
            end_unpaid(
                payment,
                PaymentStatus.FAILED,
                (PaymentStatus.COLLECTING,),
                result_message=str(_("PayPal did not confirm the payment.")),
            )
            return reload(payment)
        return _collect(payment)
    if status not in (
        PaymentStatus.PENDING,
        PaymentStatus.AWAITING_PAYPAL,
        *RECHECKED_STATUSES,
    ):
        return payment
    if status in RECHECKED_STATUSES and payment.next_check_at is None:
        return payment
    try:
        result = _look_up(payment)
    except GatewayTimeout:
        postpone(payment)
        if status in RECHECKED_STATUSES and attempts_exhausted(payment):
            Payment.objects.filter(pk=payment.pk).update(next_check_at=None)
        return reload(payment)
    return _act_on(payment, result)


def _look_up(payment: Payment) -> GatewayResult | None:
    """PayPal's current word on the payment's money (None: nothing to ask about)."""
    try:
        if payment.method == PaymentMethod.CARD:
            return card_gateway_for(payment).inquiry(request_id=request_id(payment, "sale"))
        if not payment.gateway_order_id:
            return None
        gateway = redirect_gateway_for(payment)
        return gateway.lookup(payment.gateway_order_id, request_id(payment, "collect"))
    except GatewayTimeout:
        raise
    except (GatewayError, ValueError):
        logger.warning("Payment %s: PayPal could not be asked", payment.pk)
        return None


def _act_on(payment: Payment, result: GatewayResult | None) -> Payment:
    status = payment.status
    awaiting = status == PaymentStatus.AWAITING_PAYPAL
    if result is not None and (result.approved or (result.held and not awaiting)):
        return settle(payment, result)
    if status in RECHECKED_STATUSES:
        Payment.objects.filter(pk=payment.pk).update(next_check_at=None)  # nothing collected
        return reload(payment)
    if awaiting:
        if result is not None and result.outcome is Outcome.DECLINED:
            return settle(payment, result)
        postpone(payment)  # still held (or PayPal could not say): look again later
        return reload(payment)
    # Pending.
    if payment.method == PaymentMethod.CARD:
        if result is not None and result.code == NOT_FOUND:
            return settle(payment, error_result(str(_("The payment did not reach PayPal."))))
        if result is None:
            postpone(payment)
            return reload(payment)
        return settle(payment, result)
    past_window = timezone.now() > approval_deadline(payment)
    if past_window:
        _abandon(payment, (PaymentStatus.PENDING,))
    elif (
        result is not None
        and result.code == "APPROVED"
        and transition(payment, (PaymentStatus.PENDING,), PaymentStatus.COLLECTING)
    ):
        # Approved on PayPal, the buyer never came back: collect within the window.
        return _collect(reload(payment))
    return reload(payment)


def _abandon(payment: Payment, from_statuses) -> None:
    end_unpaid(
        payment,
        PaymentStatus.ABANDONED,
        from_statuses,
        result_message=str(ENDINGS[PaymentStatus.ABANDONED]),
    )


def resolve_pending(payment: Payment) -> Payment:
    """The beat resolver's name for ``reconcile`` (kept for callers of the earlier API)."""
    return reconcile(payment)

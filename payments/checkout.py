"""The payment state machine: card sales, PayPal checkouts, and settling their outcome.

What can be paid and at what price (``Offer``, ``quote``) are reads, in ``selectors``.

Contract:
* The amount is always computed here from the session's fee and the promo code; nothing the
  browser sends about prices is read.
* One ``Payment`` per attempt. Its ``idempotency_key`` derives every PayPal request id
  (``request_id(payment, step)``), so a double submit or a retry of the same attempt reaches
  PayPal with the same id and is answered with the original result, never charged twice.
* A promo code use is taken (``promocodes.redemption.redeem``) before PayPal is asked, so that
  N uses are never exceeded, and given back (``release``) when the payment ends declined,
  failed or cancelled.
* Status moves forward only through ``_transition`` (a conditional UPDATE), so two requests
  settling the same payment cannot both act on it.
* A time-out leaves the payment *pending*; ``resolve_pending`` (a Celery beat task) asks PayPal
  later with the same request id and settles it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from promocodes import redemption
from sites.models import Session, Site

from .gateways.base import CardDetails, GatewayError, GatewayResult, GatewayTimeout, Outcome
from .gateways.payflow_wire import NOT_FOUND
from .models import (
    FINAL_STATUSES,
    Mode,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Registration,
)
from .provider_gateways import card_gateway_for, redirect_gateway_for
from .receipts import queue_receipt
from .selectors import Offer, Quote

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


# --- What can be paid, and how -------------------------------------------------------------


# --- Gateways ----------------------------------------------------------------------------


def request_id(payment: Payment, step: str) -> str:
    """The PayPal request id of one step of this payment attempt (stable across retries)."""
    return f"{payment.idempotency_key.hex}-{step}"


# --- Creating an attempt --------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


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
    second call with the same ``attempt_key`` returns the same payment.
    """
    existing = Payment.objects.filter(idempotency_key=attempt_key, site=site, session=session)
    payment = existing.first()
    if payment is not None:
        return payment
    if price.refusal_reason:
        raise redemption.PromoCodeRefused(price.refusal_reason)
    try:
        with transaction.atomic():
            use = None
            if price.code is not None:
                use = redemption.redeem(site, price.code, session, reference=str(attempt_key))
            payment = Payment.objects.create(
                site=site,
                session=session,
                attendee_name=attendee.name,
                attendee_email=attendee.email,
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


# --- Card ---------------------------------------------------------------------------------


def pay_by_card(payment: Payment, card: CardDetails) -> Payment:
    """Charge the card (Payflow sale) and settle the payment; safe to call twice."""
    if payment.status in FINAL_STATUSES:
        return payment
    if payment.amount == 0:
        return settle(payment, _free_result())
    _transition(payment, (PaymentStatus.CREATED,), PaymentStatus.PENDING)
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
        return _reload(payment)
    except GatewayError as exc:
        logger.error("Payment %s: gateway error %s", payment.pk, type(exc).__name__)
        return settle(payment, _error_result(str(_("PayPal could not process the payment."))))
    return settle(payment, result)


def _free_result() -> GatewayResult:
    return GatewayResult(Outcome.APPROVED, "0", str(_("Fully covered by the promo code.")))


def _error_result(message: str) -> GatewayResult:
    return GatewayResult(Outcome.ERROR, "ERROR", message)


# --- PayPal (Express Checkout via Payflow, or Orders v2) -------------------------------------


def start_paypal(payment: Payment, return_url: str, cancel_url: str) -> str | None:
    """Create PayPal's checkout; returns the approval URL, or None when PayPal refused."""
    if payment.status != PaymentStatus.CREATED:
        return None
    if payment.amount == 0:
        settle(payment, _free_result())
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
        settle(payment, _error_result(str(_("PayPal could not be reached. Please try again."))))
        return None
    if not checkout.approval_url:
        settle(payment, checkout.result)
        return None
    Payment.objects.filter(pk=payment.pk).update(
        gateway_order_id=checkout.token, status=PaymentStatus.PENDING, updated_at=timezone.now()
    )
    return checkout.approval_url


def complete_paypal(payment: Payment, token: str, payer_id: str) -> Payment:
    """The buyer approved on PayPal: collect the money (idempotent by the attempt's id)."""
    if payment.status != PaymentStatus.PENDING or token != payment.gateway_order_id:
        return payment
    gateway = redirect_gateway_for(payment)
    try:
        result = gateway.complete_checkout(
            token, payer_id, payment.amount, payment.currency, request_id(payment, "collect")
        )
    except GatewayTimeout:
        return _reload(payment)
    except GatewayError:
        return settle(payment, _error_result(str(_("PayPal could not process the payment."))))
    return settle(payment, result)


def cancel_paypal(payment: Payment) -> Payment:
    """The buyer cancelled on PayPal: nothing was collected."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    if _transition(
        payment,
        (PaymentStatus.PENDING,),
        PaymentStatus.CANCELLED,
        result_message=str(_("You cancelled the payment on PayPal.")),
    ):
        _release_code(payment)
    return _reload(payment)


# --- Settling ------------------------------------------------------------------------------


def settle(payment: Payment, result: GatewayResult) -> Payment:
    """Record PayPal's verdict. Paid → registration and receipt; otherwise the code goes back."""
    fields = {
        "result_code": result.code[:64],
        "result_message": result.message[:255],
    }
    if result.reference:
        fields["gateway_reference"] = result.reference[:64]
    if result.approved:
        with transaction.atomic():
            won = _transition(
                payment,
                (PaymentStatus.CREATED, PaymentStatus.PENDING),
                PaymentStatus.PAID,
                paid_at=timezone.now(),
                **fields,
            )
            if won:
                payment = _reload(payment)
                Registration.objects.get_or_create(
                    payment=payment,
                    defaults={
                        "site_id": payment.site_id,
                        "session_id": payment.session_id,
                        "attendee_name": payment.attendee_name,
                        "attendee_email": payment.attendee_email,
                    },
                )
                queue_receipt(payment.pk)
        return _reload(payment)
    status = PaymentStatus.DECLINED if result.outcome is Outcome.DECLINED else PaymentStatus.FAILED
    if _transition(payment, (PaymentStatus.CREATED, PaymentStatus.PENDING), status, **fields):
        _release_code(payment)
    return _reload(payment)


def _transition(payment: Payment, from_statuses, to_status, **fields) -> bool:
    """Move the payment forward only from an expected status; True for the one caller that did."""
    changed = Payment.objects.filter(pk=payment.pk, status__in=from_statuses).update(
        status=to_status, updated_at=timezone.now(), **fields
    )
    return bool(changed)


def _release_code(payment: Payment) -> None:
    payment = _reload(payment)
    if payment.promo_use_id:
        redemption.release(payment.promo_use)


def _reload(payment: Payment) -> Payment:
    return Payment.objects.select_related("site", "session", "promo_use").get(pk=payment.pk)


# --- Resolving payments left pending ---------------------------------------------------------


def resolve_pending(payment: Payment) -> Payment:
    """Ask PayPal what became of a pending payment, with the attempt's own request ids.

    Card: a Payflow inquiry by the sale's request id; not found means the sale never reached
    PayPal → failed. PayPal: a lookup of the checkout; not collected after
    ``PAYMENT_ABANDON_AFTER_SECONDS`` → cancelled (the buyer never came back).
    """
    if payment.status != PaymentStatus.PENDING:
        return payment
    try:
        if payment.method == PaymentMethod.CARD:
            client = card_gateway_for(payment)
            result = client.inquiry(request_id=request_id(payment, "sale"))
            if result.code == NOT_FOUND:
                return settle(payment, _error_result(str(_("The payment did not reach PayPal."))))
            return settle(payment, result)
        gateway = redirect_gateway_for(payment)
        result = gateway.lookup(payment.gateway_order_id, request_id(payment, "collect"))
    except GatewayTimeout:
        return payment
    except (GatewayError, ValueError):
        result = None
    if result is not None and result.approved:
        return settle(payment, result)
    abandoned = timezone.now() - payment.created_at > timedelta(
        seconds=settings.PAYMENT_ABANDON_AFTER_SECONDS
    )
    if abandoned and _transition(
        payment,
        (PaymentStatus.PENDING,),
        PaymentStatus.CANCELLED,
        result_message=str(_("The payment was not completed on PayPal.")),
    ):
        _release_code(payment)
    return _reload(payment)


def reconcile(payment: Payment) -> Payment:
    """Ask PayPal now and settle: what a webhook does when PayPal says a payment moved.

    A stand-in, kept thin on purpose until the complete version lands (it owns every state):
    ``resolve_pending`` settles a pending payment PayPal collected; an order the buyer
    approved without coming back to the return URL is completed here, with the attempt's own
    request id (``complete_paypal``), so it is never charged twice. Anything else is left as
    it is. Safe to call any number of times, in any state.
    """
    payment = resolve_pending(payment)
    if payment.status != PaymentStatus.PENDING or payment.method != PaymentMethod.PAYPAL:
        return payment
    try:
        looked_up = redirect_gateway_for(payment).lookup(payment.gateway_order_id)
    except GatewayError:  # GatewayTimeout too: PayPal did not say, nothing changes
        return payment
    if looked_up.code == "APPROVED":
        return complete_paypal(payment, payment.gateway_order_id, payer_id="")
    return payment

"""What each PayPal webhook event does to the console: one handler per event type.

``handle(event_type, resource, is_test)`` runs the handler of a verified event and returns
what it did, in a few words for ops (``None``: a type the console does not act on, ignored).
It raises ``NotSettled`` when the event cannot take effect yet (its payment is not found, or
PayPal could not be asked): the webhook task tries again later. Every handler is idempotent:
running it twice for one event, or for two deliveries of one fact, changes things once.

* ``PAYMENT.CAPTURE.COMPLETED`` / ``.PENDING`` / ``.DENIED`` and ``CHECKOUT.ORDER.APPROVED``:
  the payment (found by its order id, capture id, or the ``custom_id`` the console sent, which
  carries the attempt's key) is reconciled: ``checkout.reconcile`` asks PayPal and settles it,
  completing an order whose buyer never came back to the return URL.
* ``PAYMENT.CAPTURE.REFUNDED``: a refund made on PayPal's side becomes a ``Refund`` (source
  PayPal) once per PayPal refund id; a refund the console sent is recognised by that id.
* ``PAYMENT.CAPTURE.REVERSED``: a chargeback; the paid payment becomes *Reversed* with the
  amount PayPal took back.
* ``MERCHANT.ONBOARDING.COMPLETED`` / ``MERCHANT.PARTNER-CONSENT.REVOKED``: the Express
  Checkout account of that merchant records the permission granted, or revoked.

Only payments of the event's mode are touched (a sandbox event never settles a live payment).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sites import history

from . import checkout
from .models import (
    ExpressCheckoutAccount,
    Payment,
    PaymentStatus,
    PermissionStatus,
    Refund,
    RefundSource,
)

logger = logging.getLogger(__name__)

# After these events PayPal has settled the payment: a payment still unsettled after
# ``reconcile`` means PayPal could not be asked, and the event is tried again.
SETTLING_EVENTS = frozenset(
    {"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "CHECKOUT.ORDER.APPROVED"}
)
UNSETTLED = (PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.COLLECTING)
REFUND_DONE = PaymentStatus.PAID  # a Refund "paid" is money given back


class NotSettled(Exception):
    """The event cannot take effect yet; the task tries again later."""


# --- Finding the payment an event is about -----------------------------------------------------


def _strings(*values) -> set[str]:
    return {str(value) for value in values if isinstance(value, str | int) and str(value)}


def _attempt_keys(custom_ids: set[str]) -> set[uuid.UUID]:
    """The payment keys in ``custom_id`` values the console sent (``<key hex>-start``)."""
    keys = set()
    for custom_id in custom_ids:
        try:
            keys.add(uuid.UUID(hex=custom_id.split("-", 1)[0]))
        except ValueError:
            continue
    return keys


def _up_capture(resource: dict) -> str:
    """The capture a refund or reversal belongs to: its ``up`` link's last segment."""
    for link in resource.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "up":
            return str(link.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
    return ""


def references(event_type: str, resource: dict) -> tuple[set[str], set[str], set[uuid.UUID]]:
    """(order ids, capture ids, attempt keys) an event's resource names."""
    if event_type.startswith("CHECKOUT.ORDER."):
        units = [u for u in resource.get("purchase_units") or [] if isinstance(u, dict)]
        captures = [
            c
            for u in units
            for c in ((u.get("payments") or {}).get("captures") or [])
            if isinstance(c, dict)
        ]
        orders = _strings(resource.get("id"))
        return (
            orders,
            _strings(*(c.get("id") for c in captures)),
            _attempt_keys(_strings(*(u.get("custom_id") for u in units))),
        )
    if event_type in ("PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"):
        return set(), _strings(_up_capture(resource)), set()
    related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
    return (
        _strings(related.get("order_id")),
        _strings(resource.get("id")),
        _attempt_keys(_strings(resource.get("custom_id"))),
    )


def payment_for(event_type: str, resource: dict, *, is_test: bool) -> Payment:
    """The Express Checkout payment of this mode the event is about; ``NotSettled`` if none
    (its row may not be committed yet)."""
    orders, captures, keys = references(event_type, resource)
    named = Q(gateway_order_id__in=orders) | Q(gateway_reference__in=captures)
    named |= Q(idempotency_key__in=keys)
    payment = (
        Payment.objects.filter(named, is_test=is_test, provider__in=ExpressCheckoutAccount.KINDS)
        .select_related("site", "session")
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise NotSettled(
            f"no payment for order {sorted(orders)} / capture {sorted(captures)} in this mode"
        )
    return payment


def _amount(resource: dict, payment: Payment) -> Decimal:
    money = resource.get("amount") or {}
    if money.get("currency_code") != payment.currency:
        raise NotSettled(f"amount in {money.get('currency_code')!r}, payment in {payment.currency}")
    try:
        return Decimal(str(money.get("value"))).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise NotSettled(f"unreadable amount {money.get('value')!r}") from None


# --- Handlers -------------------------------------------------------------------------------


def settle_payment(event_type: str, resource: dict, is_test: bool) -> str:
    """Capture and order events: ask PayPal now and settle (``checkout.reconcile``)."""
    payment = checkout.reconcile(payment_for(event_type, resource, is_test=is_test))
    if event_type in SETTLING_EVENTS and payment.status in UNSETTLED:
        raise NotSettled(f"payment {payment.pk} still {payment.status}: PayPal could not be asked")
    return f"payment {payment.pk}: {payment.status}"


def record_refund(event_type: str, resource: dict, is_test: bool) -> str:
    """A refund PayPal made: the console's own (found by PayPal's id) or a new PayPal-side one."""
    payment = payment_for(event_type, resource, is_test=is_test)
    refund_id = str(resource.get("id") or "")[:64]
    if not refund_id or resource.get("status") != "COMPLETED":
        return f"payment {payment.pk}: refund {refund_id} not completed, nothing recorded"
    amount = _amount(resource, payment)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        known = Refund.objects.filter(payment=locked, gateway_reference=refund_id).first()
        if known is not None:
            return f"payment {locked.pk}: refund {refund_id} already recorded ({known.source})"
        if Refund.objects.filter(payment=locked, status=PaymentStatus.PENDING).exists():
            # The console's refund may be this one, its answer not recorded yet: wait for it.
            raise NotSettled(f"payment {locked.pk}: a console refund awaits PayPal's answer")
        Refund.objects.create(
            payment=locked,
            amount=amount,
            source=RefundSource.PAYPAL,
            status=REFUND_DONE,
            gateway_reference=refund_id,
            result_code="COMPLETED",
            result_message="Refunded on PayPal",
        )
        Payment.objects.filter(pk=locked.pk).update(
            refunded_amount=F("refunded_amount") + amount, updated_at=timezone.now()
        )
    logger.info("Payment %s: refund %s made on PayPal recorded", payment.pk, refund_id)
    return f"payment {payment.pk}: refund {refund_id} of {amount} recorded"


def record_reversal(event_type: str, resource: dict, is_test: bool) -> str:
    """A chargeback: the paid payment is *Reversed* with the amount PayPal took back."""
    payment = payment_for(event_type, resource, is_test=is_test)
    amount = _amount(resource, payment)
    reversed_now = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PAID).update(
        status=PaymentStatus.REVERSED, reversed_amount=amount, updated_at=timezone.now()
    )
    if not reversed_now:
        payment.refresh_from_db()
        return f"payment {payment.pk}: {payment.status}, not reversed again"
    logger.warning("Payment %s reversed by PayPal: %s %s", payment.pk, amount, payment.currency)
    return f"payment {payment.pk}: reversed, {amount}"


def _record_permission(account: ExpressCheckoutAccount, status: str, merchant_id: str) -> None:
    before = account.get_permission_status_display()
    account.permission_status = status
    account.merchant_id_in_paypal = merchant_id
    account.permission_updated_at = timezone.now()
    account.save(update_fields=["permission_status", "merchant_id_in_paypal",
                                "permission_updated_at", "updated_at"])  # fmt: skip
    history.record(
        account.site,
        None,
        f"provider.{account.kind}",
        [
            {
                "field": "permission_status",
                "label": str(
                    ExpressCheckoutAccount._meta.get_field("permission_status").verbose_name
                ),
                "old": before,
                "new": account.get_permission_status_display(),
            }
        ],
    )


def record_onboarding(event_type: str, resource: dict, is_test: bool) -> str:
    """The merchant granted the platform API permission: the account waiting for it (by the
    referral's tracking id) records the merchant id. The referral stays open for the admin's
    return from PayPal, which then finds the same answer."""
    merchant_id = str(resource.get("merchant_id") or "")[:32]
    tracking_id = str(resource.get("tracking_id") or "")
    if not merchant_id or not tracking_id:
        return "no merchant or tracking id: nothing recorded"
    accounts = ExpressCheckoutAccount.objects.select_related("site")
    account = accounts.filter(referral_tracking_id=tracking_id).first()
    if account is None:
        return f"merchant {merchant_id}: no account waits for referral {tracking_id}"
    if account.api_permission_active and account.merchant_id_in_paypal == merchant_id:
        return f"{account}: permission already recorded"
    with transaction.atomic():
        _record_permission(account, PermissionStatus.GRANTED, merchant_id)
    return f"{account}: permission granted by merchant {merchant_id}"


def record_revocation(event_type: str, resource: dict, is_test: bool) -> str:
    """The merchant withdrew the platform's permission: every account of that merchant shows
    it revoked (Production refused, no refund on its behalf) until it is granted again."""
    merchant_id = str(resource.get("merchant_id") or "")
    if not merchant_id:
        return "no merchant id: nothing recorded"
    revoked = []
    accounts = ExpressCheckoutAccount.objects.select_related("site")
    with transaction.atomic():
        for account in accounts.select_for_update().filter(merchant_id_in_paypal=merchant_id):
            if account.permission_status != PermissionStatus.REVOKED:
                _record_permission(account, PermissionStatus.REVOKED, merchant_id)
                revoked.append(str(account))
    return f"merchant {merchant_id}: revoked for {', '.join(revoked) or 'no account'}"


Handler = Callable[[str, dict, bool], str]
HANDLERS: dict[str, Handler] = {
    "PAYMENT.CAPTURE.COMPLETED": settle_payment,
    "PAYMENT.CAPTURE.PENDING": settle_payment,
    "PAYMENT.CAPTURE.DENIED": settle_payment,
    "CHECKOUT.ORDER.APPROVED": settle_payment,
    "PAYMENT.CAPTURE.REFUNDED": record_refund,
    "PAYMENT.CAPTURE.REVERSED": record_reversal,
    "MERCHANT.ONBOARDING.COMPLETED": record_onboarding,
    "MERCHANT.PARTNER-CONSENT.REVOKED": record_revocation,
}


def handle(event_type: str, resource: dict, *, is_test: bool) -> str | None:
    """Run the handler of ``event_type``; ``None`` for a type the console ignores."""
    handler = HANDLERS.get(event_type)
    if handler is None:
        return None
    return handler(event_type, resource if isinstance(resource, dict) else {}, is_test)

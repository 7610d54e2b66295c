"""Payments attendees make on the payment page, their refunds and the registrations they buy."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from promocodes.models import PromoCode, PromoCodeUse
from sites.models import Session, Site, SiteScopedQuerySet

from ..held_reasons import describe


def new_public_token() -> str:
    return secrets.token_urlsafe(24)


class PaymentStatus(models.TextChoices):
    """The life of a payment (the state machine is ``payments.checkout``; docs/payments.md).

    created → pending (card sale sent, or the attendee is approving on PayPal) → collecting
    (PayPal collection started: can no longer be cancelled) → paid, or awaiting PayPal (PayPal
    accepted but holds the money: pending capture, fraud review, eCheck…) → paid or failed.
    Declined, failed, cancelled and abandoned (a PayPal checkout never finished within the
    hold) give the promo code use back. Reversed: paid, then taken back by PayPal (a
    chargeback), reported by a webhook.
    """

    CREATED = "created", _("Created")
    PENDING = "pending", _("Pending")
    COLLECTING = "collecting", _("Collecting")
    AWAITING_PAYPAL = "awaiting_paypal", _("Awaiting PayPal")
    PAID = "paid", _("Paid")
    DECLINED = "declined", _("Declined")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # Paid, then taken back by PayPal (a chargeback or reversal): ``reversed_amount`` says how
    # much. Nothing more can be refunded.
    REVERSED = "reversed", _("Reversed")
    ABANDONED = "abandoned", _("Abandoned")


# A payment in one of these states is over: its promo code use, if any, has been settled.
# (A later word from PayPal that the money was collected still moves it to paid.)
FINAL_STATUSES = (
    PaymentStatus.PAID,
    PaymentStatus.DECLINED,
    PaymentStatus.FAILED,
    PaymentStatus.CANCELLED,
    PaymentStatus.REVERSED,
    PaymentStatus.ABANDONED,
)
# Payments that collected money (the report's money figures count these).
COLLECTED_STATUSES = (PaymentStatus.PAID, PaymentStatus.REVERSED)
# Not over yet: the promo code use is held, the resolver looks after them.
OPEN_STATUSES = (
    PaymentStatus.CREATED,
    PaymentStatus.PENDING,
    PaymentStatus.COLLECTING,
    PaymentStatus.AWAITING_PAYPAL,
)
# Over without the money: the code use was given back.
UNPAID_STATUSES = tuple(s for s in FINAL_STATUSES if s not in COLLECTED_STATUSES)
# Ended unpaid after reaching PayPal: the resolver looks once more (``next_check_at``), in case
# PayPal collected after all.
RECHECKED_STATUSES = (PaymentStatus.CANCELLED, PaymentStatus.FAILED, PaymentStatus.ABANDONED)


# A paid payment whose receipt was never sent: what the receipt sweep looks for
# (``receipts.due_receipts``), and the condition of its partial index ``payment_receipt_due``.
RECEIPT_UNSENT = models.Q(status=PaymentStatus.PAID, receipt_sent_at__isnull=True)


class RefundSource(models.TextChoices):
    CONSOLE = "console", _("Console")
    PAYPAL = "paypal", _("PayPal")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    PAYPAL = "paypal", _("PayPal")


class PaymentQuerySet(SiteScopedQuerySet):
    def live(self):
        return self.filter(is_test=False)


class Payment(models.Model):
    """One attempt of one attendee to pay for one session (the state machine: docs/architecture.md).

    The amount is computed on the server (fee − discount). ``idempotency_key`` is sent to
    PayPal with every money-moving call of this attempt (``X-VPS-REQUEST-ID`` /
    ``PayPal-Request-Id``) so a retry never charges twice. Card number and security code are
    never stored: only the brand and the last four digits.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="payments")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="payments")
    attendee_name = models.CharField(_("attendee name"), max_length=200)
    attendee_email = models.EmailField(_("attendee e-mail"))
    # The language of the payment page the attendee paid on: their receipt is written in it
    # (blank: the site's language).
    language = models.CharField(
        _("attendee's language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(
        _("discount"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    amount = models.DecimalField(_("amount charged"), max_digits=10, decimal_places=2)
    refunded_amount = models.DecimalField(
        _("refunded"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    reversed_amount = models.DecimalField(
        _("reversed"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(_("currency"), max_length=3)
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    promo_use = models.OneToOneField(
        PromoCodeUse, on_delete=models.SET_NULL, null=True, blank=True, related_name="payment"
    )
    provider = models.CharField(_("provider"), max_length=32)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    is_test = models.BooleanField(_("test payment"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    card_brand = models.CharField(_("card"), max_length=24, blank=True)
    card_last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    gateway_reference = models.CharField(_("PayPal reference"), max_length=64, blank=True)
    gateway_order_id = models.CharField(_("PayPal order or token"), max_length=64, blank=True)
    result_code = models.CharField(_("result code"), max_length=64, blank=True)
    result_message = models.CharField(_("result message"), max_length=255, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    public_token = models.CharField(max_length=64, default=new_public_token, unique=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    # Why PayPal holds the money (awaiting PayPal): its own code, shown in plain words.
    held_reason = models.CharField(_("PayPal's reason"), max_length=64, blank=True)
    # The resolver's visits that got no final answer, and when it looks again (None: never).
    resolve_attempts = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["site", "is_test", "created_at"]),
            models.Index(fields=["site", "status"]),
            models.Index(fields=["status", "updated_at"]),
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(next_check_at__isnull=False),
                name="payment_next_check",
            ),
            # The receipt sweep: few rows (receipts not sent yet), read by ``paid_at``.
            models.Index(fields=["paid_at"], condition=RECEIPT_UNSENT, name="payment_receipt_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) & models.Q(discount__gte=0),
                name="payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.site.slug} {self.attendee_email} {self.amount} {self.currency} {self.status}"

    @property
    def reference(self) -> str:
        """The reference an attendee quotes: PayPal's, else our own short id."""
        return self.gateway_reference or f"WX-{self.pk:08d}"

    @property
    def held_reason_text(self) -> str:
        """PayPal's reason for holding the money, in plain words (the active language)."""
        return describe(self.held_reason) if self.held_reason else ""

    @property
    def refundable_amount(self) -> Decimal:
        return (
            self.amount - self.refunded_amount if self.status == PaymentStatus.PAID else Decimal(0)
        )


class Refund(models.Model):
    """Money given back on a paid payment, in full or in part; idempotent by its own key.

    ``source`` says who gave it back: an admin in the console, or the merchant on PayPal's
    side (learnt from the ``PAYMENT.CAPTURE.REFUNDED`` webhook, recorded once per PayPal
    refund id, ``gateway_reference``).
    """

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    source = models.CharField(
        _("refunded from"),
        max_length=16,
        choices=RefundSource.choices,
        default=RefundSource.CONSOLE,
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    gateway_reference = models.CharField(max_length=64, blank=True)
    result_code = models.CharField(max_length=64, blank=True)
    result_message = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Sends that got no final answer (time-out, 5xx), and when the resolver sends it again.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway_reference"],
                condition=models.Q(source="paypal"),
                name="one_paypal_side_refund_per_paypal_id",
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status="pending"),
                name="one_pending_refund_per_payment",
            ),
        ]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.payment_id} −{self.amount}"


class Registration(models.Model):
    """An attendee registered for a session by a paid payment."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="registration")
    attendee_name = models.CharField(_("attendee name"), max_length=200)
    attendee_email = models.EmailField(_("attendee e-mail"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.attendee_email} → {self.session}"

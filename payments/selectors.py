"""Reads of the payments app: what can be paid and at what price, the Transactions report's
rows and totals, what is left to refund, and the payments and refunds left pending.

Nothing here writes. The payment page asks ``offer_for`` and ``quote``; the report asks
``filtered_payments`` → ``report_totals`` (one aggregate query, one row per currency) →
``report_page`` (one SELECT joined with the session, counted by the totals). Test payments
are left out of the report unless the filter asks for them, so totals never mix play money
with real money by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from promocodes import redemption
from promocodes import selectors as promo_selectors
from sites.models import Session, Site

from .models import (
    COLLECTED_STATUSES,
    OPEN_STATUSES,
    RECHECKED_STATUSES,
    CommerceSettings,
    Payment,
    PaymentStatus,
    Refund,
)
from .models.providers import ProviderAccount
from .provider_gateways import paypal_form_origins
from .providers import active_account

CENT = Decimal("0.01")
PAGE_SIZE = 50


# --- What can be paid, and how -------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What the payment page may offer for one session, or why it cannot."""

    commerce: CommerceSettings | None
    account: ProviderAccount | None
    unavailable: str = ""

    @property
    def cards(self) -> tuple[str, ...]:
        return self.account.cards_on_offer if self.account else ()

    @property
    def paypal_button(self) -> bool:
        return bool(self.account and self.account.offers_paypal_button)

    @property
    def paypal_form_origins(self) -> list[str]:
        """Origins the payment form may end on after its redirect to PayPal (CSP form-action)."""
        return paypal_form_origins(self.commerce.mode)


def offer_for(site: Site, session: Session) -> Offer:
    """Whether attendees can pay for this session now, and with what."""
    if not site.ecommerce_provisioned:
        return Offer(None, None, _("Online payment is not available for this site."))
    commerce = CommerceSettings.objects.filter(site=site).first()
    if commerce is not None:
        commerce.site = site  # already loaded: not read again by ``active_account``
    if commerce is None or not commerce.service_enabled(session.service):
        return Offer(commerce, None, _("Online payment is not turned on for this session."))
    if session.fee <= 0:
        return Offer(commerce, None, _("This session is free: no payment is needed."))
    account = active_account(commerce)
    if account is None or account.pk is None:
        return Offer(commerce, None, _("Online payment is not set up yet for this site."))
    offer = Offer(commerce, account)
    if not offer.cards and not offer.paypal_button:
        return Offer(commerce, account, _("Online payment is not set up yet for this site."))
    return offer


@dataclass(frozen=True)
class Quote:
    fee: Decimal
    discount: Decimal
    amount: Decimal
    currency: str
    code: object | None = None  # the applicable PromoCode, resolved once for the whole request
    refusal: str = ""  # why the typed code was refused, in plain words
    refusal_reason: str = ""  # the same as a ``promocodes.selectors.Refusal`` value


def quote(site: Site, session: Session, code_text: str = "") -> Quote:
    """The price of ``session`` with ``code_text`` applied (read-only).

    The one lookup of the typed code on the payment page: the page shows this quote and
    ``checkout.begin`` takes it, redeeming ``Quote.code`` without looking the text up again.
    """
    fee = session.fee.quantize(CENT)
    if code_text.strip():
        result = promo_selectors.check(site, code_text, session)
        if result.ok:
            discount = redemption.discount_for(result.code, fee)
            return Quote(fee, discount, fee - discount, site.currency, result.code)
        return Quote(fee, Decimal("0.00"), fee, site.currency, None, result.message, result.refusal)
    return Quote(fee, Decimal("0.00"), fee, site.currency)


def typed_before_cancel(attempt_key: str, session: Session) -> dict[str, str]:
    """What the attendee typed in their cancelled PayPal attempt ``attempt_key`` for ``session``:
    name, e-mail and the promo code they used (never card data, which is never stored).

    Empty when the attempt is unknown, for another session, or not cancelled.
    """
    payment = (
        Payment.objects.filter(
            idempotency_key=attempt_key, session=session, status=PaymentStatus.CANCELLED
        )
        .select_related("promo_code")
        .first()
    )
    if payment is None:
        return {}
    return {
        "attendee_name": payment.attendee_name,
        "attendee_email": payment.attendee_email,
        "promo_code": payment.promo_code.code if payment.promo_code else "",
    }


# --- The Transactions report ---------------------------------------------------------------


class Scope:
    """Which payments the report covers: real ones (the default), test ones, or both."""

    LIVE = "live"
    TEST = "test"
    ALL = "all"


@dataclass(frozen=True)
class TransactionFilters:
    date_from: date | None = None
    date_to: date | None = None
    session_id: int | None = None
    status: str = ""
    scope: str = Scope.LIVE


def _start_of_day(day: date, site: Site) -> datetime:
    return datetime.combine(day, time.min, tzinfo=site.tzinfo)


def filtered_payments(site: Site, filters: TransactionFilters) -> QuerySet[Payment]:
    """The site's payments matching the report parameters (dates are the site's local days,
    both ends included; the date is when the attendee started paying)."""
    payments = Payment.objects.for_site(site)
    if filters.scope == Scope.LIVE:
        payments = payments.filter(is_test=False)
    elif filters.scope == Scope.TEST:
        payments = payments.filter(is_test=True)
    if filters.date_from:
        payments = payments.filter(created_at__gte=_start_of_day(filters.date_from, site))
    if filters.date_to:
        end = _start_of_day(filters.date_to + timedelta(days=1), site)
        payments = payments.filter(created_at__lt=end)
    if filters.session_id:
        payments = payments.filter(session_id=filters.session_id)
    if filters.status:
        payments = payments.filter(status=filters.status)
    return payments


@dataclass(frozen=True)
class Totals:
    """The report's totals in one currency. Money figures count the payments that collected
    money: paid ones, and paid ones PayPal later reversed (a chargeback)."""

    currency: str
    count: int  # every matching payment, whatever its status
    paid_count: int
    gross: Decimal  # the fees of collected payments
    discounts: Decimal
    refunded: Decimal
    reversed: Decimal  # what chargebacks took back
    net: Decimal  # what was charged and kept: amount − refunded − reversed


_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _paid_sum(expression) -> Coalesce:
    return Coalesce(
        Sum(expression, filter=Q(status__in=COLLECTED_STATUSES), output_field=_MONEY),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def report_totals(payments: QuerySet[Payment]) -> list[Totals]:
    """Gross, discounts, refunded, reversed, net and counts — one aggregate query, one row per
    currency (a site that changed provider may hold payments in two currencies: never added up)."""
    rows = (
        payments.order_by()
        .values("currency")
        .annotate(
            count=Count("id"),
            paid_count=Count("id", filter=Q(status=PaymentStatus.PAID)),
            gross=_paid_sum(F("fee")),
            discounts=_paid_sum(F("discount")),
            refunded=_paid_sum(F("refunded_amount")),
            reversed=_paid_sum(F("reversed_amount")),
            net=_paid_sum(
                ExpressionWrapper(
                    F("amount") - F("refunded_amount") - F("reversed_amount"), output_field=_MONEY
                )
            ),
        )
        .order_by("currency")
    )
    return [Totals(**row) for row in rows]


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are (no ``COUNT`` of its own)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # in place of the cached property that would count


# The columns a row of the report shows (its session's title as ``session_title``).
REPORT_COLUMNS = (
    "id",
    "created_at",
    "status",
    "held_reason",
    "is_test",
    "attendee_name",
    "attendee_email",
    "amount",
    "discount",
    "refunded_amount",
    "reversed_amount",
    "currency",
    "method",
    "card_brand",
    "card_last4",
    "gateway_reference",
)


def report_page(payments: QuerySet[Payment], number, count: int | None = None) -> Page:
    """One page of the report, newest first, its rows as dicts of ``REPORT_COLUMNS`` and
    ``session_title`` (one query joined with the session), and a ``COUNT`` unless ``count``
    (the number of ``payments``, e.g. from ``report_totals``) is given."""
    rows = payments.order_by("-created_at", "-id").values(
        *REPORT_COLUMNS, session_title=F("session__title")
    )
    if count is None:
        return Paginator(rows, PAGE_SIZE).get_page(number)
    return _CountedPaginator(rows, PAGE_SIZE, count).get_page(number)


# --- What is left to refund -----------------------------------------------------------------


def pending_refunds_total(payment: Payment) -> Decimal:
    """What refunds still waiting for PayPal's answer may have given back already."""
    total = (
        Refund.objects.filter(payment=payment, status=PaymentStatus.PENDING)
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return total or Decimal("0.00")


def available_to_refund(payment: Payment) -> Decimal:
    """Refundable now: charged − refunded − pending refunds (0 unless the payment is paid)."""
    return max(Decimal("0.00"), payment.refundable_amount - pending_refunds_total(payment))


# --- Left pending --------------------------------------------------------------------------


def _quiet_since() -> datetime:
    return timezone.now() - timedelta(seconds=settings.PAYMENT_PENDING_GRACE_SECONDS)


def quiet_pending(rows: QuerySet, since: str) -> QuerySet:
    """The pending rows (payments or refunds) whose ``since`` field is older than
    ``PAYMENT_PENDING_GRACE_SECONDS``: nobody is acting on them any more."""
    return rows.filter(status=PaymentStatus.PENDING, **{f"{since}__lt": _quiet_since()})


def payments_to_resolve() -> QuerySet[Payment]:
    """What the beat resolver asks PayPal about now, oldest first: open payments nobody has
    touched for ``PAYMENT_PENDING_GRACE_SECONDS`` whose next look is due, and payments that
    ended unpaid after reaching PayPal whose later look is due (``next_check_at``)."""
    now = timezone.now()
    due = Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    open_ones = Q(status__in=OPEN_STATUSES, updated_at__lt=_quiet_since()) & due
    recheck = Q(status__in=RECHECKED_STATUSES, next_check_at__lte=now)
    return Payment.objects.filter(open_ones | recheck).order_by("updated_at")

"""Redemption: the payment page takes a use of a code, and gives it back.

The contract (``payments`` imports this module and ``promocodes.selectors``, never the other
way round); ``selectors.check`` and ``selectors.find_code`` are its reads:

``discount_for(code, fee) -> Decimal``
    The discount on ``fee`` (2 decimals, half-up), never negative and never more than the fee.
``redeem(site, code, session, *, reference) -> PromoCodeUse``
    Takes one use of ``code`` (resolved by the caller with ``selectors.find_code``, once;
    ``None`` is refused as unknown) atomically or raises :class:`PromoCodeRefused`
    (``exc.refusal``, a ``selectors.Refusal``). One conditional UPDATE decides
    (``uses < max_uses``, status active, not expired in the site's time zone): N allowed uses
    are granted at most N times under any concurrency. Idempotent per ``(code, reference)``:
    the same reference gets the same :class:`PromoCodeUse` back. Safe inside the caller's
    transaction (it then rolls back with it).
``release(redemption) -> bool``
    Gives the use back (payment declined or failed); idempotent, ``True`` the first time.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from sites.models import Session, Site

from .models import DiscountType, PromoCode, PromoCodeUse, Status
from .selectors import Refusal, evaluate

CENT = Decimal("0.01")


class PromoCodeRefused(Exception):
    def __init__(self, refusal: str):
        super().__init__(refusal)
        self.refusal = refusal

    @property
    def message(self) -> str:
        return str(Refusal.MESSAGES[self.refusal])


def discount_for(code: PromoCode, fee: Decimal) -> Decimal:
    """The discount this code gives on ``fee``: 2 decimals, half-up, between 0 and the fee."""
    fee = Decimal(fee)
    if fee <= 0:
        return Decimal("0.00")
    if code.discount_type == DiscountType.PERCENT:
        discount = (fee * code.discount_value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        discount = Decimal(code.discount_value).quantize(CENT)
    return max(Decimal("0.00"), min(discount, fee.quantize(CENT, rounding=ROUND_HALF_UP)))


def redeem(site: Site, code: PromoCode | None, session: Session, *, reference: str) -> PromoCodeUse:
    """Take one use of ``code`` for ``session`` or raise :class:`PromoCodeRefused`.

    The code as loaded only explains a refusal; the decision is the conditional UPDATE itself,
    which PostgreSQL re-evaluates on the latest row version when two redemptions race, so a
    code with N uses is granted at most N times.
    """
    if code is None:
        raise PromoCodeRefused(Refusal.UNKNOWN)
    reference = str(reference)[:100]
    held = PromoCodeUse.objects.filter(
        promo_code=code, reference=reference, released_at__isnull=True
    )
    try:
        with transaction.atomic():
            existing = held.first()
            if existing is not None:
                return existing
            result = evaluate(code, session, site.today())
            if not result.ok:
                raise PromoCodeRefused(result.refusal)
            taken = (
                PromoCode.objects.filter(
                    pk=code.pk, status=Status.ACTIVE, expires_on__gte=site.today()
                )
                .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
                .update(
                    uses=F("uses") + 1,
                    status=Case(
                        When(
                            max_uses__isnull=False,
                            max_uses__lte=F("uses") + 1,
                            then=Value(Status.USED_UP),
                        ),
                        default=F("status"),
                    ),
                )
            )
            if not taken:
                # Lost a race (or the code changed meanwhile): say why, from the row as it is.
                code.refresh_from_db()
                refusal = evaluate(code, session, site.today()).refusal
                raise PromoCodeRefused(refusal or Refusal.USED_UP)
            return PromoCodeUse.objects.create(
                promo_code=code, session=session, reference=reference
            )
    except IntegrityError:
        # The same reference redeemed concurrently: that one holds the use.
        use = held.first()
        if use is None:
            raise
        return use


def release(redemption: PromoCodeUse) -> bool:
    """Give a use back (payment not completed). Idempotent: ``True`` only the first time."""
    with transaction.atomic():
        released = PromoCodeUse.objects.filter(pk=redemption.pk, released_at__isnull=True).update(
            released_at=timezone.now()
        )
        if released:
            PromoCode.objects.filter(pk=redemption.promo_code_id, uses__gt=0).update(
                uses=F("uses") - 1,
                status=Case(
                    When(status=Status.USED_UP, then=Value(Status.ACTIVE)), default=F("status")
                ),
            )
    return bool(released)

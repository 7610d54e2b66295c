"""Promo code insights: charts above the Promotional Codes Report, for the filtered codes.

Reads only, over the report's own filtered queryset (``selectors.filtered_codes``), so the
charts count exactly the codes the table lists, never another site's:

``status_counts(codes)``
    issued, used at least once, used up, expired, deleted, still active — one aggregate
    query;
``use_rows(site, codes)``
    the uses not given back, per week (the site's local weeks) and currency, with the
    discount the paid ones granted — one ``GROUP BY`` query.

The discount granted is what the payments holding a use took off (a payment that was paid,
``paid_at`` set). The payment is reached through the model relation ``PromoCodeUse.payment``
(declared by ``payments``, which builds on this app): this app imports nothing of
``payments``.

``insights(site, codes)`` runs both (two queries) and returns the charts (``sites.charts``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sites import charts
from sites.date_display import format_date
from sites.models import Site
from sites.money import format_money, format_number

from .models import PromoCode, PromoCodeUse, Status

STATUS_KEYS = ("issued", "used", "used_up", "expired", "deleted", "active")


def status_counts(codes: QuerySet[PromoCode]) -> dict[str, int]:
    """How many codes were issued, used at least once, and are used up, expired, deleted or
    active: one aggregate query."""
    return codes.order_by().aggregate(
        issued=Count("id"),
        used=Count("id", filter=Q(uses__gt=0)),
        used_up=Count("id", filter=Q(status=Status.USED_UP)),
        expired=Count("id", filter=Q(status=Status.EXPIRED)),
        deleted=Count("id", filter=Q(status=Status.DELETED)),
        active=Count("id", filter=Q(status=Status.ACTIVE)),
    )


def use_rows(site: Site, codes: QuerySet[PromoCode]) -> list[dict]:
    """``{week, currency, uses, discount}``: uses not given back per local week (its Monday)
    and payment currency (``None`` for a use without payment), with the discount of the paid
    ones — one query."""
    rows = (
        PromoCodeUse.objects.filter(
            promo_code__in=codes.order_by().values("pk"), released_at__isnull=True
        )
        .annotate(week=TruncWeek("created_at", tzinfo=site.tzinfo))
        .values("week", "payment__currency")
        .annotate(
            uses=Count("id"),
            discount=Sum("payment__discount", filter=Q(payment__paid_at__isnull=False)),
        )
        .order_by("week")
    )
    return [
        {
            "week": row["week"].date(),
            "currency": row["payment__currency"],
            "uses": row["uses"],
            "discount": row["discount"] or Decimal("0.00"),
        }
        for row in rows
    ]


def _count(n: int) -> str:
    return ngettext("%(n)s code", "%(n)s codes", n) % {"n": format_number(n)}


def status_chart(counts: dict[str, int]) -> charts.Chart:
    labels = {
        "issued": _("Issued"),
        "used": _("Used at least once"),
        "used_up": _("Used up"),
        "expired": _("Expired"),
        "deleted": _("Deleted"),
        "active": _("Still active"),
    }
    return charts.bars(
        "codes",
        _("Codes issued, used, expired and deleted"),
        [charts.Point(labels[k], counts[k], _count(counts[k])) for k in STATUS_KEYS],
        label_header=_("Codes"),
        value_header=_("Number"),
    )


def uses_chart(rows: list[dict]) -> charts.Chart:
    per_week: dict[date, int] = defaultdict(int)
    for row in rows:
        per_week[row["week"]] += row["uses"]
    weeks = charts.periods(min(per_week), max(per_week), weekly=True) if per_week else []
    points = [
        charts.Point(
            format_date(w),
            per_week.get(w, 0),
            ngettext("%(n)s use", "%(n)s uses", per_week.get(w, 0))
            % {"n": format_number(per_week.get(w, 0))},
        )
        for w in weeks
    ]
    return charts.columns(
        "uses",
        _("Uses per week"),
        points,
        label_header=_("Week of"),
        value_header=_("Uses"),
    )


def discount_chart(rows: list[dict]) -> charts.Chart:
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["currency"]:
            per_currency[row["currency"]] += row["discount"]
    return charts.bars(
        "discount",
        _("Discount granted on paid payments"),
        [
            charts.Point(currency, amount, format_money(amount, currency))
            for currency, amount in sorted(per_currency.items())
        ],
        label_header=_("Currency"),
        value_header=_("Discount granted"),
    )


def insights(site: Site, codes: QuerySet[PromoCode]) -> list[charts.Chart]:
    """The insights' charts for the filtered ``codes``: two queries at any size."""
    rows = use_rows(site, codes)
    return [status_chart(status_counts(codes)), uses_chart(rows), discount_chart(rows)]

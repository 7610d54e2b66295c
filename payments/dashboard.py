"""The Transactions dashboard: charts above the report, following its parameters.

Reads only, each chart one ``GROUP BY`` over the report's filtered payments
(``selectors.filtered_payments``), so a chart never counts another site's payments nor rows
the table would not show:

``revenue_rows``
    collected money per period (day, or week over longer spans) per currency, test and live
    apart — one query;
``method_outcome_rows``
    payments per method and outcome (paid, refunded, reversed, declined, pending, cancelled)
    — one query feeds both the *method* and the *outcome* chart;
``top_session_rows``
    the sessions that collected the most payments — one query.

``dashboard(site, filters, payments)`` runs the three and returns the charts
(``sites.charts``) in the reader's language. ``why_empty`` says why nothing matches.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDay, TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sites import charts
from sites.date_display import format_date
from sites.models import Site
from sites.money import format_money, format_number

from .models import COLLECTED_STATUSES, OPEN_STATUSES, Payment, PaymentMethod, PaymentStatus
from .selectors import Scope, TransactionFilters, filtered_payments

DAILY_UP_TO_DAYS = 62  # a date range up to this long is drawn day by day, longer by week
TOP_SESSIONS = 5

# Outcomes, in the order drawn. A paid payment with money given back counts as refunded.
PAID, REFUNDED, REVERSED, DECLINED, PENDING, CANCELLED = (
    "paid",
    "refunded",
    "reversed",
    "declined",
    "pending",
    "cancelled",
)
OUTCOMES = (PAID, REFUNDED, REVERSED, DECLINED, PENDING, CANCELLED)


def outcome_labels() -> dict[str, str]:
    return {
        PAID: _("Paid"),
        REFUNDED: _("Refunded (in part or in full)"),
        REVERSED: _("Reversed by PayPal"),
        DECLINED: _("Declined or failed"),
        PENDING: _("Pending or awaiting PayPal"),
        CANCELLED: _("Cancelled or abandoned"),
    }


_OUTCOME = SqlCase(
    When(status=PaymentStatus.PAID, refunded_amount__gt=0, then=Value(REFUNDED)),
    When(status=PaymentStatus.PAID, then=Value(PAID)),
    When(status=PaymentStatus.REVERSED, then=Value(REVERSED)),
    When(status__in=(PaymentStatus.DECLINED, PaymentStatus.FAILED), then=Value(DECLINED)),
    When(status__in=OPEN_STATUSES, then=Value(PENDING)),
    default=Value(CANCELLED),
    output_field=CharField(),
)


def weekly(filters: TransactionFilters) -> bool:
    """Week by week unless the parameters span at most ``DAILY_UP_TO_DAYS`` days."""
    if filters.date_from and filters.date_to:
        return (filters.date_to - filters.date_from).days >= DAILY_UP_TO_DAYS
    return True


# --- The aggregates ----------------------------------------------------------------------


def revenue_rows(site: Site, payments: QuerySet[Payment], by_week: bool) -> list[dict]:
    """``{period, currency, is_test, revenue, paid}`` per period (a date, the site's local day
    or the Monday of its week), currency and test flag, collected payments only."""
    trunc = TruncWeek if by_week else TruncDay
    rows = (
        payments.filter(status__in=COLLECTED_STATUSES)
        .annotate(period=trunc("created_at", tzinfo=site.tzinfo))
        .order_by()
        .values("period", "currency", "is_test")
        .annotate(revenue=Sum("amount"), paid=Count("id"))
        .order_by("period")
    )
    return [{**row, "period": row["period"].date()} for row in rows]


def method_outcome_rows(payments: QuerySet[Payment]) -> list[dict]:
    """``{method, outcome, n}``: the payments per method and outcome."""
    return list(
        payments.annotate(outcome=_OUTCOME)
        .order_by()
        .values("method", "outcome")
        .annotate(n=Count("id"))
    )


def top_session_rows(payments: QuerySet[Payment], limit: int = TOP_SESSIONS) -> list[dict]:
    """``{session_id, title, currency, paid, revenue}``: the sessions with the most collected
    payments (then the most money), at most ``limit``."""
    collected = Q(status__in=COLLECTED_STATUSES)
    return list(
        payments.filter(collected)
        .order_by()
        .values("session_id", "currency")
        .annotate(title=Max("session__title"), paid=Count("id"), revenue=Sum("amount"))
        .order_by("-paid", "-revenue", "session_id")[:limit]
    )


# --- Why nothing matches -----------------------------------------------------------------


@dataclass(frozen=True)
class EmptyReason:
    """Why the report is empty: test payments would match (``test_matching``), or the
    parameters narrow it (``narrowed``), or there is no payment at all yet."""

    test_matching: int
    narrowed: bool
    test_filters: TransactionFilters | None


def why_empty(site: Site, filters: TransactionFilters) -> EmptyReason:
    """Asked only when nothing matches: one COUNT when live payments were asked for."""
    narrowed = bool(filters.date_from or filters.date_to or filters.session_id or filters.status)
    if filters.scope != Scope.LIVE:
        return EmptyReason(0, narrowed, None)
    test_filters = dataclasses.replace(filters, scope=Scope.TEST)
    return EmptyReason(filtered_payments(site, test_filters).count(), narrowed, test_filters)


# --- The charts --------------------------------------------------------------------------


def revenue_charts(rows: list[dict], by_week: bool) -> list[charts.Chart]:
    """One chart per currency and test flag (live first), every period in between drawn."""
    series: dict[tuple[bool, str], dict[date, Decimal]] = defaultdict(dict)
    for row in rows:
        series[(row["is_test"], row["currency"])][row["period"]] = row["revenue"]
    period_header = _("Week of") if by_week else _("Day")
    result = []
    for (is_test, currency), values in sorted(series.items()):
        periods = charts.periods(min(values), max(values), weekly=by_week)
        points = [
            charts.Point(
                format_date(p),
                values.get(p, Decimal("0.00")),
                format_money(values.get(p, 0), currency),
            )
            for p in periods
        ]
        per = _("Revenue per week") if by_week else _("Revenue per day")
        which = _("test payments") if is_test else _("live payments")
        title = f"{per} — {currency} — {which}"
        result.append(
            charts.columns(
                f"revenue-{currency.lower()}-{'test' if is_test else 'live'}",
                title,
                points,
                label_header=period_header,
                value_header=_("Revenue"),
                hatched=is_test,
            )
        )
    return result


def method_and_outcome_charts(rows: list[dict]) -> list[charts.Chart]:
    by_method: dict[str, int] = defaultdict(int)
    by_outcome: dict[str, int] = defaultdict(int)
    for row in rows:
        by_method[row["method"]] += row["n"]
        by_outcome[row["outcome"]] += row["n"]
    methods = dict(PaymentMethod.choices)
    outcomes = outcome_labels()

    def count(n: int) -> str:
        return ngettext("%(n)s payment", "%(n)s payments", n) % {"n": format_number(n)}

    return [
        charts.bars(
            "outcome",
            _("Payments by outcome"),
            [charts.Point(outcomes[o], by_outcome[o], count(by_outcome[o])) for o in OUTCOMES],
            label_header=_("Outcome"),
            value_header=_("Payments"),
        ),
        charts.bars(
            "method",
            _("Payments by method"),
            [
                charts.Point(str(label), by_method[value], count(by_method[value]))
                for value, label in methods.items()
            ],
            label_header=_("Method"),
            value_header=_("Payments"),
        ),
    ]


def top_sessions_chart(rows: list[dict]) -> charts.Chart:
    points = [
        charts.Point(
            f"{row['title'] or '—'} ({row['currency']})",
            row["paid"],
            ngettext("%(n)s paid", "%(n)s paid", row["paid"]) % {"n": format_number(row["paid"])}
            + " · "
            + format_money(row["revenue"], row["currency"]),
        )
        for row in rows
    ]
    return charts.bars(
        "sessions",
        _("Top sessions by paid payments"),
        points,
        label_header=_("Session"),
        value_header=_("Paid payments and revenue"),
    )


def dashboard(site: Site, filters: TransactionFilters, payments: QuerySet[Payment]) -> dict:
    """The charts of the dashboard: three queries whatever the number of payments."""
    by_week = weekly(filters)
    return {
        "revenue": revenue_charts(revenue_rows(site, payments, by_week), by_week),
        "breakdown": [
            *method_and_outcome_charts(method_outcome_rows(payments)),
            top_sessions_chart(top_session_rows(payments)),
        ],
    }

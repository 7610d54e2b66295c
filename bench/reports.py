"""The report pages with their charts: the Transactions report at 100,000 payments and the
Promotional Codes Report at 1,000,000 codes, each page and each chart's aggregates beside
their floor.

Figures, each timed with ``sample_each`` (ours and the floor taking turns):

* the Transactions report page both ways: as it comes (above ``REPORT_CHARTS_INLINE_MAX_ROWS``
  payments without its dashboard, the *Show charts* line instead) and with ``charts=1``
  (dashboard, totals, first page), each against a bare Django view running the plain SQL of
  what it ran (the page floor);
* the dashboard's three aggregates (``payments.dashboard``) against the same ``GROUP BY``
  written as plain SQL;
* the promo insights' two aggregates (``promocodes.insights``) against their plain SQL;
* the promo report page both ways, as it comes (above the limit: rows and count only) and
  with ``charts=1`` (its insights too), against a bare view running the plain SQL of the
  rows, the count and, when drawn, the insights.

The data: the promo-code data set of ``bench.promocodes_data`` (one site, a million codes),
plus, built here once, 100,000 payments in the same site (a year of them, live and test, two
currencies, every outcome) and a use for every code the data set marks used.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.urls import reverse

from payments import dashboard, selectors
from payments.models import Payment
from promocodes import insights
from promocodes import selectors as promo_selectors
from promocodes.models import PromoCode, PromoCodeUse
from sites.models import Session, Site
from sites.report_charts import inline_max_rows

from .harness import (
    QueryCounter,
    Result,
    bare_view,
    client_for,
    cpu_of,
    probe,
    sample_each,
    sql,
)
from .harness import vacuum as vacuum_tables
from .promocodes_data import TABLE
from .promocodes_data import build as build_codes

PAYMENTS = 100_000
PAYMENT_TABLE = Payment._meta.db_table
USE_TABLE = PromoCodeUse._meta.db_table
TARGET = "≤ 20 ms"
CEILING = 0.020  # a page's target; the aggregates' is a reminder of the page they serve

# The dashboard's aggregates as plain SQL (live and test: scope=all), the floor of
# ``dashboard.dashboard``.
DASHBOARD_FLOOR = (
    f"SELECT date_trunc('week', created_at AT TIME ZONE %(tz)s) w, currency, is_test, "
    f"sum(amount), count(*) FROM {PAYMENT_TABLE} WHERE site_id = %(site)s "
    "AND status IN ('paid', 'reversed') GROUP BY 1, 2, 3 ORDER BY 1",
    "SELECT method, CASE WHEN status = 'paid' AND refunded_amount > 0 THEN 'refunded' "
    f"ELSE status END o, count(*) FROM {PAYMENT_TABLE} WHERE site_id = %(site)s GROUP BY 1, 2",
    f"SELECT session_id, currency, count(*), sum(amount) FROM {PAYMENT_TABLE} "
    "WHERE site_id = %(site)s AND status IN ('paid', 'reversed') "
    "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5",
)
TOTALS_FLOOR = (
    f"SELECT currency, count(*), sum(amount) FILTER (WHERE status IN ('paid', 'reversed')) "
    f"FROM {PAYMENT_TABLE} WHERE site_id = %(site)s GROUP BY 1"
)
PAGE_FLOOR = (
    f"SELECT p.*, s.title FROM {PAYMENT_TABLE} p JOIN sites_session s ON s.id = p.session_id "
    "WHERE p.site_id = %(site)s ORDER BY p.created_at DESC, p.id DESC "
    "LIMIT 50 OFFSET %(offset)s",
)
# The filtered page: declined payments only (one in twenty: few enough for inline charts).
DECLINED = "status = 'declined'"


def narrowed(statements: tuple[str, ...], condition: str) -> tuple[str, ...]:
    """``statements`` with ``condition`` added to their site filter."""
    return tuple(
        statement.replace("site_id = %(site)s", f"site_id = %(site)s AND {condition}")
        for statement in statements
    )


INSIGHTS_FLOOR = (
    "SELECT count(*), count(*) FILTER (WHERE c.uses > 0), "
    "count(*) FILTER (WHERE c.status = 'used_up'), "
    "count(*) FILTER (WHERE c.status = 'expired'), "
    "count(*) FILTER (WHERE c.status = 'deleted'), "
    "count(*) FILTER (WHERE c.status = 'active') "
    f"FROM {TABLE} c WHERE c.site_id = %(site)s AND c.service = 'events'{{where}}",
    f"SELECT date_trunc('week', u.created_at AT TIME ZONE %(tz)s), p.currency, count(*), "
    f"sum(p.discount) FILTER (WHERE p.paid_at IS NOT NULL) FROM {USE_TABLE} u "
    f"JOIN {TABLE} c ON c.id = u.promo_code_id "
    f"LEFT JOIN {PAYMENT_TABLE} p ON p.promo_use_id = u.id "
    "WHERE c.site_id = %(site)s AND c.service = 'events'{where} AND u.released_at IS NULL "
    "GROUP BY 1, 2 ORDER BY 1",
)


def insights_floor(where: str = "") -> tuple[str, ...]:
    """The insights' plain SQL, ``where`` narrowing the codes (e.g. by status)."""
    return tuple(statement.replace("{where}", where) for statement in INSIGHTS_FLOOR)


def promo_page_floor() -> tuple[str, ...]:
    """The promo report's rows and its bounded count (up to the larger of ``COUNT_LIMIT`` and
    the charts' limit, as the page counts), as plain SQL."""
    bound = max(promo_selectors.COUNT_LIMIT, inline_max_rows()) + 1
    return (
        f"SELECT * FROM {TABLE} WHERE site_id = %(site)s AND service = 'events' "
        "ORDER BY created_at DESC, id DESC LIMIT 51",
        f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE site_id = %(site)s "
        f"AND service = 'events' LIMIT {bound}) s",
    )


def build_payments(site: Site, log: Callable[[str], None]) -> None:
    """100,000 payments over a year in ``site`` and a use per used code, once."""
    if Payment.objects.for_site(site).count() == PAYMENTS:
        log(f"Payments present: {PAYMENTS:,} in site '{site.slug}'.")
        return
    log(f"Building {PAYMENTS:,} payments and the codes' uses …")
    started = time.perf_counter()
    sql(f"DELETE FROM {PAYMENT_TABLE} WHERE site_id = %s", [site.pk])
    sql(
        f"DELETE FROM {USE_TABLE} u USING {TABLE} c WHERE c.id = u.promo_code_id "
        "AND c.site_id = %s",
        [site.pk],
    )
    sessions = [
        Session.objects.get_or_create(
            site=site,
            title=f"Bench session {n}",
            defaults={"service": "events", "kind": "live_event", "fee": 100},
        )[0].pk
        for n in range(20)
    ]
    sql(
        f"""
        INSERT INTO {USE_TABLE} (promo_code_id, reference, created_at)
        SELECT id, 'bench-' || id, created_at + interval '1 day'
        FROM {TABLE} WHERE site_id = %(site)s AND uses > 0
        """,
        {"site": site.pk},
    )
    # Payment i: every 3rd a test one, 1 in 10 in CAD, status by i % 20, one in 25 with a
    # code use (and its discount), created i × 315 s ago (a year).
    sql(
        f"""
        WITH uses AS (
            SELECT u.id, u.promo_code_id, row_number() OVER (ORDER BY u.id) AS n
            FROM {USE_TABLE} u JOIN {TABLE} c ON c.id = u.promo_code_id
            WHERE c.site_id = %(site)s
        )
        INSERT INTO {PAYMENT_TABLE} (site_id, session_id, attendee_name, attendee_email, fee,
            discount, amount, refunded_amount, reversed_amount, currency, promo_code_id,
            promo_use_id, provider, method, is_test, status, card_brand, card_last4,
            gateway_reference, gateway_order_id, result_code, result_message, idempotency_key,
            public_token, held_reason, resolve_attempts, language, created_at, updated_at,
            paid_at)
        SELECT %(site)s, (%(sessions)s::int[])[1 + i %% 20], 'Attendee ' || i,
            'attendee' || i || '@example.com', 100,
            CASE WHEN u.id IS NULL THEN 0 ELSE 10 END,
            CASE WHEN u.id IS NULL THEN 100 ELSE 90 END,
            CASE WHEN i %% 20 = 1 THEN 10 ELSE 0 END,
            CASE WHEN i %% 20 = 2 THEN 100 ELSE 0 END,
            CASE WHEN i %% 10 = 0 THEN 'CAD' ELSE 'USD' END, u.promo_code_id, u.id,
            'payflow_pro', CASE WHEN i %% 4 = 0 THEN 'paypal' ELSE 'card' END, i %% 3 = 0,
            CASE WHEN i %% 20 < 14 THEN 'paid' WHEN i %% 20 = 14 THEN 'declined'
                 WHEN i %% 20 = 15 THEN 'failed' WHEN i %% 20 = 16 THEN 'awaiting_paypal'
                 WHEN i %% 20 = 17 THEN 'cancelled' WHEN i %% 20 = 18 THEN 'abandoned'
                 ELSE 'reversed' END,
            'Visa', '1111', 'REF' || i, '', '0', '', gen_random_uuid(), md5(random()::text),
            '', 0, '', now() - i * interval '315 seconds', now(),
            now() - i * interval '315 seconds'
        FROM generate_series(1, %(n)s) AS i
        LEFT JOIN uses u ON u.n = i / 25 AND i %% 25 = 0
        """,
        {"site": site.pk, "sessions": sessions, "n": PAYMENTS},
    )
    sql(
        f"UPDATE {PAYMENT_TABLE} SET paid_at = NULL WHERE site_id = %s "
        "AND status NOT IN ('paid', 'reversed')",
        [site.pk],
    )
    vacuum_tables(PAYMENT_TABLE, USE_TABLE)
    log(f"… built in {time.perf_counter() - started:.1f} s.")


def _floor(statements, values) -> Callable[[], None]:
    def run():
        for statement in statements:
            sql(statement, values, fetch=True)

    return run


def _bare_page(statements, values) -> Callable[[], object]:
    """A bare Django view running the plain SQL of a page and returning a tiny page."""
    return bare_view(lambda: [len(sql(statement, values, fetch=True)) for statement in statements])


def _figure(
    label: str, ours, floor, notes: str, runs: int = 9, ceiling: float | None = None
) -> Result:
    timings = sample_each({"ours": ours, "floor": floor}, runs=runs)
    spread = f"ours {timings['ours'].spread}"
    return Result(
        label,
        timings["ours"].median,
        timings["floor"].median,
        TARGET,
        notes + spread,
        ceiling=ceiling,
    )


def pages_both_ways(
    label: str,
    url: str,
    params: dict,
    user,
    values: dict,
    plain: tuple[str, ...],
    charts: tuple[str, ...],
    asking: bool = True,
) -> list[Result]:
    """The report page at ``url?params`` as it comes (its charts inline or not, as the
    filtered set's size decides) and, when ``asking``, with ``charts=1``, each beside a bare
    view running the plain SQL of what the page ran: ``plain`` always, ``charts`` when it drew
    them."""
    client = client_for(user)
    results = []
    ways = [("default", params), ("charts=1", {**params, "charts": "1"})]
    for way, asked in ways if asking else ways[:1]:
        response, queries = probe(client, url, asked)
        drawn = b"data-charts-deferred" not in response.content
        assert response.status_code == 200 and (drawn or way == "default")
        what = "charts drawn" if drawn else f"no charts (over {inline_max_rows():,} rows)"
        cpu = cpu_of(lambda asked=asked: client.get(url, asked))
        results.append(
            _figure(
                f"{label}, {way}",
                lambda asked=asked: client.get(url, asked),
                _bare_page((*plain, *charts) if drawn else plain, values),
                f"{what}; {queries} queries; Python CPU {cpu * 1000:.1f} ms; "
                "floor: bare view + the same SQL; ",
                ceiling=CEILING,
            )
        )
    return results


def bench_transactions(site: Site, user) -> list[Result]:
    values = {"site": site.pk, "tz": site.time_zone, "offset": 0}
    url = reverse("transactions", args=[site.slug])
    filters = selectors.TransactionFilters(scope=selectors.Scope.ALL)
    payments = selectors.filtered_payments(site, filters)
    with QueryCounter() as charted:
        dashboard.dashboard(site, filters, payments)
    deep = PAYMENTS // selectors.PAGE_SIZE * 9 // 10  # nine tenths of the way down
    return [
        *pages_both_ways(
            f"Transactions report page ({PAYMENTS:,} payments)",
            url,
            {"scope": "all"},
            user,
            values,
            (TOTALS_FLOOR, *PAGE_FLOOR),
            DASHBOARD_FLOOR,
        ),
        *pages_both_ways(
            f"Transactions report, deep page ({deep:,})",
            url,
            {"scope": "all", "page": str(deep)},
            user,
            {**values, "offset": (deep - 1) * selectors.PAGE_SIZE},
            (TOTALS_FLOOR, *PAGE_FLOOR),
            DASHBOARD_FLOOR,
            asking=False,
        ),
        *pages_both_ways(
            "Transactions report, status filter (declined)",
            url,
            {"scope": "all", "status": "declined"},
            user,
            values,
            narrowed((TOTALS_FLOOR, *PAGE_FLOOR), DECLINED),
            narrowed(DASHBOARD_FLOOR, DECLINED),
            asking=False,
        ),
        _figure(
            "Transactions dashboard aggregates (3 GROUP BY)",
            lambda: dashboard.dashboard(site, filters, payments),
            _floor(DASHBOARD_FLOOR, values),
            f"{len(charted)} queries; ",
        ),
    ]


def bench_insights(site: Site, user, total: int) -> list[Result]:
    values = {"site": site.pk, "tz": site.time_zone}
    url = reverse("promocode-report", args=[site.slug, "events"])
    codes = promo_selectors.filtered_codes(site, promo_selectors.ReportFilters(service="events"))
    filtered = promo_selectors.filtered_codes(
        site, promo_selectors.ReportFilters(service="events", status="used_up")
    )
    with QueryCounter() as charted:
        insights.insights(site, codes)
    return [
        *pages_both_ways(
            f"Promo report page ({total:,} codes)",
            url,
            {},
            user,
            values,
            promo_page_floor(),
            insights_floor(),
        ),
        _figure(
            f"Promo insights aggregates (all {total:,} codes)",
            lambda: insights.insights(site, codes),
            _floor(insights_floor(), values),
            f"{len(charted)} queries; ",
            runs=5,
        ),
        _figure(
            "Promo insights aggregates (status = used up)",
            lambda: insights.insights(site, filtered),
            _floor(insights_floor(" AND c.status = 'used_up'"), values),
            f"{len(charted)} queries; ",
            runs=5,
        ),
    ]


def run(total: int, log: Callable[[str], None]) -> list[Result]:
    site, user, _batch = build_codes(total, log)
    build_payments(site, log)
    assert PromoCode.objects.for_site(site).exists()
    return [*bench_transactions(site, user), *bench_insights(site, user, total)]

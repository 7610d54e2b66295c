"""The promo-code report's pages at a million codes, beside their plain-SQL floors.

Four pages of the report (``promocodes.views``, through the Django test client): the first,
a deep one (nine tenths of the way down, reached by its cursor), a status + "contains" filter
and a code fragment. Each is timed ``PAGE_RUNS`` times in turns with the floors: the same page
and its bounded count in plain SQL on the minimal schema (``bench.floor_schema``) and on the
product's own table, and a bare Django view running the latter (the page floor: what a page
costs with no middleware, session, form nor template). Target: 20 ms a page. ``page_floor``
and the rows it starts from serve the REST API's list too (``bench.api``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from promocodes import selectors
from promocodes.models import PromoCode
from sites.models import Site

from .floor_schema import FLOOR_TABLE
from .harness import Result, bare_view, client_for, cpu_of, probe, sample_each, spreads, sql
from .promocodes_data import TABLE

PAGE_RUNS = 7
TARGET, CEILING = "≤ 20 ms", 0.020

SEARCH_TEXT = "upper(code || chr(31) || recipient_name || chr(31) || recipient_email)"
# The report's plain SQL: one page of rows (the first, after a cursor, filtered, searched) and
# the bounded count the report shows beside it. ``{t}`` is the table; the minimal schema has
# no search table, so its "contains" reads the three columns (no index can serve it).
PAGE_FLOOR = {
    "first": (
        "SELECT * FROM {t} WHERE site_id = %(site)s AND service = 'events' "
        "ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "after": (
        "SELECT * FROM {t} WHERE site_id = %(site)s AND service = 'events' "
        "AND (created_at, id) < (%(c)s, %(i)s) ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "contains": (
        "SELECT * FROM {t} WHERE site_id = %(site)s AND service = 'events' "
        "AND status = 'active' AND {search} ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
    "fragment": (
        "SELECT * FROM {t} WHERE site_id = %(site)s AND service = 'events' "
        "AND {search} ORDER BY created_at DESC, id DESC LIMIT 51"
    ),
}
SEARCH = {
    TABLE: (
        "EXISTS (SELECT 1 FROM promocodes_search s WHERE s.promo_code_id = id "
        "AND s.text LIKE %(like)s)"
    ),
    FLOOR_TABLE: f"{SEARCH_TEXT} LIKE %(like)s",
}
COUNT_FLOOR = (
    "SELECT count(*) FROM (SELECT 1 FROM {t} WHERE site_id = %(site)s "
    "AND service = 'events' LIMIT 10001) s"
)


@dataclass(frozen=True)
class Row:
    """A row of the report's list (``events``, newest first) at ``depth`` rows down."""

    depth: int
    created_at: datetime
    pk: int

    @property
    def cursor(self) -> str:
        """The ``after`` cursor of the page that starts just below this row."""
        return selectors.encode_cursor(PromoCode(created_at=self.created_at, pk=self.pk))


def row_at(site: Site, depth: int) -> Row:
    created_at, pk = sql(
        f"SELECT created_at, id FROM {TABLE} WHERE site_id = %s AND service = 'events' "
        "ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
        [site.pk, depth],
        fetch=True,
    )[0]
    return Row(depth, created_at, pk)


def deep_row(site: Site) -> Row:
    """Nine tenths of the way down: the deep page of the report starts just below it."""
    return row_at(site, PromoCode.objects.for_site(site).count() * 9 // 10)


def page_floor(
    site: Site,
    kind: str = "first",
    after: Row | None = None,
    table: str = TABLE,
    like: str = "%USER12345%",
) -> Callable[[], None]:
    """The plain SQL of one report page (``PAGE_FLOOR[kind]``) and of its count on ``table``."""
    values = {"site": site.pk, "like": like}
    if after is not None:
        values.update(c=after.created_at, i=after.pk)
    page = PAGE_FLOOR[kind].format(t=table, search=SEARCH[table])
    count = COUNT_FLOOR.format(t=table)

    def floor():
        sql(page, values, fetch=True)
        sql(count, values, fetch=True)

    return floor


def bench_report(site: Site, user) -> list[Result]:
    client = client_for(user)
    url = reverse("promocode-report", args=[site.slug, "events"])
    deep = deep_row(site)
    fragment = sql(
        f"SELECT substr(code, 3, 5) FROM {TABLE} WHERE site_id = %s ORDER BY id LIMIT 1",
        [site.pk],
        fetch=True,
    )[0][0]
    cases = [
        ("Report, first page", {}, "first", "%USER12345%"),
        (f"Report, deep page (row {deep.depth:,})", {"after": deep.cursor}, "after", ""),
        (
            "Report, status + contains filter",
            {"status": "active", "q": "user12345"},
            "contains",
            "%USER12345%",
        ),
        (
            f"Report, code fragment '{fragment}'",
            {"q": fragment},
            "fragment",
            f"%{fragment}%",
        ),
    ]
    results = []
    for label, params, kind, like in cases:
        response, queries = probe(client, url, params)
        assert response.status_code == 200, response.status_code
        rows = response.content.count(b'name="ids"')
        times = sample_each(
            {
                "ours": lambda params=params: client.get(url, params),
                "floor": page_floor(site, kind, deep, FLOOR_TABLE, like),
                "table": page_floor(site, kind, deep, TABLE, like),
                "bare view": bare_view(page_floor(site, kind, deep, TABLE, like)),
            },
            PAGE_RUNS,
        )
        bare = times["bare view"].median
        cpu = cpu_of(lambda params=params: client.get(url, params), PAGE_RUNS)
        charts = "charts drawn" if b"data-insights" in response.content else "no charts"
        notes = (
            f"{queries} queries, {rows} rows shown, {charts}; bare view + the table floor's "
            f"SQL {bare * 1000:.1f} ms (ours {times['ours'].median / bare:.1f}× it); "
            f"Python CPU {cpu * 1000:.1f} ms"
        )
        if kind in ("contains", "fragment"):
            notes += (
                "; floor searches without an index, table floor with the trigram search "
                "table: the index's trade"
            )
        results.append(
            Result(
                label,
                times["ours"].median,
                times["floor"].median,
                TARGET,
                f"{notes}; {spreads(times)}",
                table_floor=times["table"].median,
                ceiling=CEILING,
            )
        )
    return results

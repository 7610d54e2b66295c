"""The REST API's promo-code list beside the console's report page and the SQL floor.

The list (``GET /api/v1/sites/<site>/promo-codes/?service=events``) is called with an API key
of the bench site's administrator, through the Django test client like the console's report
page: its first page, and the deep page (as deep as the report's deep page) reached by the
``next`` link the API itself returns. Each figure is the median of ``RUNS`` runs taken in
turns with the same console page, so both meet the same load; the target is the API within
``TARGET`` times the console page. The floor is the report's own (``bench.promocode_report``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from api import keys
from api.models import ApiKey, Scope
from promocodes.selectors import PAGE_SIZE
from sites.models import Revision, Site

from . import floor_schema
from .harness import Result, client_for, median_of, probe, sample_each
from .promocode_report import deep_row, page_floor, row_at
from .promocodes_data import build

RUNS = 9
TARGET = 1.5


def key_client(site: Site, user) -> tuple[Client, ApiKey]:
    """A client sending a new read-only key of ``user`` (made by ``api.keys``, like the
    *API keys* page does)."""
    key, plain = keys.create_key(site, user, name="Bench", holder=user, scope=Scope.READ_ONLY)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}"), key


def bench_api_list(site: Site, user, runs: int = RUNS) -> list[Result]:
    console = client_for(user)
    report_url = reverse("promocode-report", args=[site.slug, "events"])
    list_url = reverse("api-promocode-list", args=[site.slug])
    api, key = key_client(site, user)
    try:
        deep = deep_row(site)
        # The API page that ends on the deep row: its ``next`` link leads to the deep page.
        above = row_at(site, deep.depth - PAGE_SIZE)
        page = api.get(list_url, {"service": "events", "after": above.cursor})
        assert page.status_code == 200, page.status_code
        deep_link = page.json()["next"]
        assert deep_link.endswith("after=" + deep.cursor), deep_link
        cases = [
            ("first page", list_url, {"service": "events"}, {}, "first"),
            (f"deep page (row {deep.depth:,})", deep_link, None, {"after": deep.cursor}, "after"),
        ]
        results = []
        for label, url, params, report_params, kind in cases:
            response, queries = probe(api, url, params)
            assert response.status_code == 200, response.status_code
            rows = len(response.json()["results"])
            console.get(report_url, report_params)  # warm
            times = sample_each(
                {
                    "api": lambda url=url, params=params: api.get(url, params),
                    "console": lambda params=report_params: console.get(report_url, params),
                },
                runs,
            )
            ours, page_time = times["api"].median, times["console"].median
            met = "met" if ours <= TARGET * page_time else "MISSED"
            results.append(
                Result(
                    f"API list, {label}",
                    ours,
                    median_of(page_floor(site, kind, deep, floor_schema.FLOOR_TABLE), runs),
                    f"≤ {TARGET}× console",
                    f"{met}; {queries} queries, {rows} rows; median of {runs}, "
                    f"API {times['api'].spread}, console {times['console'].spread}",
                    console=page_time,
                    table_floor=median_of(page_floor(site, kind, deep), runs),
                )
            )
        return results
    finally:
        key.delete()
        Revision.objects.for_site(site).filter(area=keys.AREA).delete()


def run(total: int, log: Callable[[str], None]) -> list[Result]:
    """The API figures on the promo-code data set of ``total`` codes (built when missing)."""
    site, user, _ = build(total, log)
    floor_schema.build(site.pk, log)
    return bench_api_list(site, user)

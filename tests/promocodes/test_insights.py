"""Promo code insights on the report: issued vs used vs expired vs deleted, uses per week,
discount granted — for the filtered codes of this site only, in two queries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from payments.models import Payment
from promocodes import insights, selectors
from promocodes.models import PromoCodeUse

pytestmark = pytest.mark.django_db


def figures(response, key):
    for chart in response.context["insights"]:
        if chart.key == key:
            return {p.label: p.value for p in chart.points}
    raise AssertionError(f"no chart {key}")


@pytest.fixture
def use(make_session):
    """``use(code, when, discount=None, paid=True)``: a use of ``code``, with its payment when
    a discount is given."""
    sessions = {}

    def make(code, when, discount=None, paid=True, released=False, currency="USD"):
        session = sessions.get(code.site_id) or make_session(code.site, "Talk")
        sessions[code.site_id] = session
        taken = PromoCodeUse.objects.create(
            promo_code=code,
            session=session,
            reference=f"ref-{PromoCodeUse.objects.count()}",
            created_at=when,
            released_at=when if released else None,
        )
        if discount is not None:
            Payment.objects.create(
                site=code.site,
                session=session,
                attendee_name="A",
                attendee_email="a@example.com",
                fee=Decimal("50.00"),
                discount=Decimal(discount),
                amount=Decimal("50.00") - Decimal(discount),
                currency=currency,
                provider="payflow_pro",
                method="card",
                status="paid" if paid else "pending",
                paid_at=when if paid else None,
                promo_code=code,
                promo_use=taken,
            )
        return taken

    return make


def test_insights_figures_on_known_codes(admin_client, site, report_url, make_code, use):
    used = make_code(site, "USED1", uses=1, status="used_up")
    twice = make_code(site, "TWICE", uses=2, max_uses=5)
    make_code(site, "ACTIVE1")
    make_code(site, "OLD1", status="expired")
    make_code(site, "GONE1", status="deleted")
    week = datetime(2030, 1, 14, 15, 0, tzinfo=UTC)  # a Monday
    use(used, week, discount="5.00")
    use(twice, week.replace(day=16), discount="10.00")
    use(twice, week.replace(day=29), discount="7.50")  # two weeks later
    use(twice, week, discount="40.00", paid=False)  # a use held by a payment not paid yet
    use(twice, week, released=True)  # given back: not a use
    response = admin_client.get(report_url)
    assert figures(response, "codes") == {
        "Issued": 5,
        "Used at least once": 2,
        "Used up": 1,
        "Expired": 1,
        "Deleted": 1,
        "Still active": 2,
    }
    assert figures(response, "uses") == {"14/01/2030": 3, "21/01/2030": 0, "28/01/2030": 1}
    assert figures(response, "discount") == {"USD": Decimal("22.50")}
    body = response.content.decode()
    assert body.count("data-chart-table") == 3 and 'role="img"' in body


def test_insights_follow_the_filters(admin_client, site, report_url, make_code, use):
    used = make_code(site, "USED1", uses=1, status="used_up")
    make_code(site, "OTHER1", status="expired")
    use(used, datetime(2030, 1, 14, 15, 0, tzinfo=UTC), discount="5.00")
    response = admin_client.get(report_url, {"status": "expired"})
    assert figures(response, "codes")["Issued"] == 1
    assert figures(response, "uses") == {} and figures(response, "discount") == {}
    searched = admin_client.get(report_url, {"q": "used1"})
    assert figures(searched, "codes")["Used at least once"] == 1
    assert figures(searched, "discount") == {"USD": Decimal("5.00")}


def test_insights_never_count_another_sites_codes(
    admin_client, site, other_site, report_url, make_code, use
):
    make_code(site, "MINE1")
    theirs = make_code(other_site, "THEIRS1", uses=1, status="used_up")
    use(theirs, datetime(2030, 1, 14, 15, 0, tzinfo=UTC), discount="40.00")
    response = admin_client.get(report_url)
    assert figures(response, "codes")["Issued"] == 1
    assert figures(response, "codes")["Used at least once"] == 0
    assert figures(response, "uses") == {} and figures(response, "discount") == {}
    assert "data-chart-empty" in response.content.decode()


def test_insights_cost_two_queries_at_any_size(site, make_code, use, django_assert_num_queries):
    for n in range(20):
        code = make_code(site, uses=1, status="used_up")
        use(code, datetime(2030, 1, 1 + n, 15, 0, tzinfo=UTC), discount="1.00")
    codes = selectors.filtered_codes(site, selectors.ReportFilters(service="events"))
    with django_assert_num_queries(2):
        drawn = insights.insights(site, codes)
    assert sum(p.value for p in drawn[1].points) == 20


def test_insights_are_in_french(admin_client, site, report_url, make_code):
    make_code(site, "ACTIVE1")
    admin_client.cookies["django_language"] = "fr"
    body = admin_client.get(report_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Codes émis, utilisés, expirés et supprimés" in body
    assert "Les chiffres\u00a0: " in body


# --- drawn inline up to REPORT_CHARTS_INLINE_MAX_ROWS codes, on request above it ---------------


def report_queries(client, url, params=None):
    """``(response, queries)``: the report page and how many queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("codes", [8, 60], ids=["one page", "several pages"])
def test_insights_are_inline_up_to_the_limit_then_on_request(
    admin_client, site, report_url, make_code, codes
):
    for n in range(codes):
        make_code(site, f"USED{n:03d}", uses=1, status="used_up")
    params = {"service": "events", "status": "used_up"}
    inline, drawn = report_queries(admin_client, report_url, params)
    assert figures(inline, "codes")["Issued"] == codes
    assert "charts_deferred" not in inline.context

    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=codes):  # at the limit: inline
        assert "data-insights" in admin_client.get(report_url, params).content.decode()
    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=codes - 1):
        over, deferred = report_queries(admin_client, report_url, params)
        body = over.content.decode()
        # The insights' two aggregates are left out; the count shown decides (no other count).
        assert deferred == drawn - 2
        assert "data-insights" not in body and f"{codes} promotional codes" in body
        assert f"Charts are not drawn automatically for more than {codes - 1} rows:" in body
        link = escape(f"?{over.context['querystring']}&charts=1")
        assert "status=used_up" in link
        assert f'href="{link}" data-show-charts>Show charts</a>' in body
        asked, with_charts = report_queries(admin_client, report_url, {**params, "charts": "1"})
        assert with_charts == drawn
        assert figures(asked, "codes")["Issued"] == codes
        assert "data-charts-deferred" not in asked.content.decode()


def test_insights_line_is_in_french(admin_client, site, report_url, make_code):
    make_code(site, "ACTIVE1")
    make_code(site, "ACTIVE2")
    admin_client.cookies["django_language"] = "fr"
    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=1):
        body = admin_client.get(report_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les graphiques ne sont pas tracés automatiquement au-delà de 1 ligne\u00a0:" in body
    assert "Afficher les graphiques</a>" in body

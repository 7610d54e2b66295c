"""Every report page runs a fixed number of queries, whatever the number of rows.

The Promotional Codes Report (first, deep, previous, filtered and searched pages, its insights
inline, deferred and asked for), the Transactions report (first, deep and filtered pages, its
dashboard inline, deferred and asked for, the empty report) and History (first page, a later
page, filtered) are each read at a small and a larger size: the number of queries is the same
at both, and it is the number the pages' docstrings add up to.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, PaymentStatus
from promocodes.models import PromoCode
from sites.models import Membership, Revision, Session
from tests import factories

pytestmark = pytest.mark.django_db

SMALL, LARGER = 300, 900
# Every console page: the session, the user, the membership with its site (and whether the
# member belongs to another site: the layout's *Switch site*).
MEMBER = 3


def queries(client, url, params=None) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(captured)


def counts_at_both_sizes(grow, read) -> list[int]:
    """``read()``'s query counts (a list) after ``grow(SMALL)`` and after ``grow(LARGER)``;
    asserts they are the same at both sizes and returns them."""
    grow(SMALL)
    small = read()
    grow(LARGER)
    larger = read()
    assert small == larger, (small, larger)
    return larger


# --- Promotional Codes Report ----------------------------------------------------------------


def add_codes(site, session, n: int) -> None:
    """Codes up to ``n`` in all: every status, a fifth limited to a session, a fifth to a
    kind (of every status too), each of them matching the search ``"user"``."""
    have = PromoCode.objects.filter(site=site).count()
    now = timezone.now()
    statuses = ["active", "used_up", "expired", "deleted"]
    codes = PromoCode.objects.bulk_create(
        PromoCode(
            site=site,
            service="events",
            code=f"Q{i:07d}",
            recipient_name=f"Recipient {i}",
            recipient_email=f"user{i}@example.com",
            discount_type="percent",
            discount_value=Decimal("10"),
            expires_on=date.today() + timedelta(days=30),
            status=statuses[i % 4],
            applies_to="sessions" if i % 5 == 1 else "kind" if i % 5 == 2 else "all",
            kind="live_event" if i % 5 == 2 else "",
            created_at=now - timedelta(seconds=i),
        )
        for i in range(have, n)
    )
    PromoCode.sessions.through.objects.bulk_create(
        PromoCode.sessions.through(promo_code=c, session=session)
        for c in codes
        if c.applies_to == "sessions"
    )


@pytest.fixture
def report(site):
    return reverse("promocode-report", args=[site.slug, "events"])


@pytest.fixture
def event(site):
    return Session.objects.create(
        site=site, title="Deep dive", service="events", kind="event_recording", fee=50
    )


# The report: the member, the page's rows, the sessions of its session-bound codes, the
# bounded count (not when the set is listed whole), the provider warning's settings; the
# insights' two aggregates when drawn; a searched page also asks which of the site's batches
# are not yet in the search index (their codes are searched directly).
PROMO_PAGE, INSIGHTS, SEARCHED = MEMBER + 4, 2, 1


def test_promo_report_pages_run_the_same_queries_at_any_size(admin_client, site, report, event):
    def read():
        first, n_first = queries(admin_client, report)
        deep, n_deep = queries(admin_client, report, {"after": first.context["page"].next_cursor})
        _, n_back = queries(admin_client, report, {"before": deep.context["page"].previous_cursor})
        _, n_status = queries(admin_client, report, {"status": "active", "q": "user"})
        _, n_search = queries(admin_client, report, {"q": "Q000001"})  # ten codes: one page
        _, n_asked = queries(admin_client, report, {"charts": "1"})
        return [n_first, n_deep, n_back, n_status, n_search, n_asked]

    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=40):  # above it: charts on request
        counts = counts_at_both_sizes(lambda n: add_codes(site, event, n), read)
    first, deep, back, status, search, asked = counts
    assert first == deep == back == PROMO_PAGE
    assert status == PROMO_PAGE + SEARCHED
    # Listed whole on one page: its rows are its count, and its insights are drawn inline.
    assert search == PROMO_PAGE - 1 + INSIGHTS + SEARCHED
    assert asked == PROMO_PAGE + INSIGHTS


def test_a_page_without_session_bound_codes_does_not_ask_for_sessions(
    admin_client, site, report, event
):
    add_codes(site, event, 30)
    PromoCode.objects.filter(applies_to="sessions").update(applies_to="all")
    _, n = queries(admin_client, report, {"charts": "0"})
    assert n == PROMO_PAGE - 2 + INSIGHTS  # neither sessions nor a count; insights inline


def test_switch_site_is_offered_only_to_members_of_another_site(
    admin_client, admin, site, report, other_site
):
    assert "Switch site" not in admin_client.get(report).content.decode()
    Membership.objects.create(user=admin, site=other_site, role="organizer")
    assert "Switch site" in admin_client.get(report).content.decode()


# --- Transactions report ---------------------------------------------------------------------


def add_payments(site, session, n: int) -> None:
    """Payments up to ``n`` in all: live and test, every fifth declined, one in seven refunded
    in part."""
    have = Payment.objects.filter(site=site).count()
    Payment.objects.bulk_create(
        factories.payment(
            session,
            PaymentStatus.DECLINED if i % 5 == 0 else PaymentStatus.PAID,
            attendee_name=f"Attendee {i}",
            attendee_email=f"attendee{i}@example.com",
            fee=Decimal("50.00"),
            discount=Decimal("0.00"),
            amount=Decimal("50.00"),
            refunded_amount=Decimal("5.00") if i % 7 == 0 and i % 5 else Decimal("0.00"),
            is_test=bool(i % 2),
            card_brand="Visa",
            card_last4="1111",
            gateway_reference=f"REF{i:06d}",
            public_token=f"token-{i}",
        )
        for i in range(have, n)
    )


@pytest.fixture
def transactions(site):
    return reverse("transactions", args=[site.slug])


# The report: the member, the form's sessions, the totals (which count the rows too), the
# page's rows with their sessions; the dashboard's three aggregates when drawn; when nothing
# matches live, the count of the test payments that would.
TRANSACTIONS_PAGE, DASHBOARD = MEMBER + 3, 3


def test_transactions_report_pages_run_the_same_queries_at_any_size(
    admin_client, site, transactions
):
    session = Session.objects.create(
        site=site, title="Webex 101", service="events", kind="event_recording", fee=50
    )

    def read():
        counts = []
        for params in (
            {"scope": "all"},
            {"scope": "all", "page": "2"},
            {"scope": "all", "page": "9999"},  # past the end: the last page
            {"scope": "all", "status": "declined"},
            {"scope": "all", "charts": "1"},
            {"scope": "live", "status": "declined", "date_from": "01/01/2000"},
        ):
            counts.append(queries(admin_client, transactions, params)[1])
        return counts

    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=250):
        counts = counts_at_both_sizes(lambda n: add_payments(site, session, n), read)
    first, second, last, declined, asked, live_declined = counts
    # Over the limit: the dashboard waits to be asked; the declined ones (a fifth) fit under
    # it at both sizes and draw it inline.
    assert first == second == last == TRANSACTIONS_PAGE
    assert declined == asked == TRANSACTIONS_PAGE + DASHBOARD
    assert live_declined == TRANSACTIONS_PAGE + DASHBOARD


def test_empty_transactions_report_asks_why_instead_of_reading_rows(
    admin_client, site, transactions
):
    session = Session.objects.create(
        site=site, title="Webex 101", service="events", kind="event_recording", fee=50
    )
    add_payments(site, session, 20)
    Payment.objects.filter(is_test=False).delete()
    response, n = queries(admin_client, transactions)
    assert "data-empty-reason" in response.content.decode()
    # No rows to read (the totals counted none), and why_empty's count of the test payments
    # that would match.
    assert n == TRANSACTIONS_PAGE - 1 + 1


# --- History -----------------------------------------------------------------------------------


def add_revisions(site, actor, n: int) -> None:
    have = Revision.objects.filter(site=site).count()
    Revision.objects.bulk_create(
        Revision(
            site=site,
            actor=actor if i % 2 else None,
            area="ecommerce.mode" if i % 3 else "sessions",
            changes=[{"field": "mode", "old": "test", "new": "production"}],
        )
        for i in range(have, n)
    )


# History: the member, the filter form's areas and people, the page's COUNT and its rows with
# their actors.
HISTORY_PAGE = MEMBER + 4


def test_history_pages_run_the_same_queries_at_any_size(admin_client, admin, site):
    url = reverse("site-history", args=[site.slug])

    def read():
        return [
            queries(admin_client, url, params)[1]
            for params in ({}, {"page": "2"}, {"area": "ecommerce.mode"}, {"person": admin.pk})
        ]

    counts = counts_at_both_sizes(lambda n: add_revisions(site, admin, n), read)
    assert counts == [HISTORY_PAGE] * 4

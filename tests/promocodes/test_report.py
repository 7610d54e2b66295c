"""The Promotional Codes Report: filters, keyset pages, bounded count, actions, CSV, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from promocodes import selectors
from promocodes.models import PromoCode
from sites.models import Revision

pytestmark = pytest.mark.django_db


def shown_codes(response) -> list[str]:
    assert response.status_code == 200
    return [row["code"].code for row in response.context["rows"]]


def bulk_codes(site, n, **fields):
    fields.setdefault("service", "events")
    fields.setdefault("discount_type", "percent")
    fields.setdefault("discount_value", Decimal("10"))
    fields.setdefault("expires_on", date.today() + timedelta(days=30))
    now = timezone.now()
    prefix = fields.pop("prefix", "BULK")
    return PromoCode.objects.bulk_create(
        PromoCode(
            site=site, code=f"{prefix}{i:07d}", created_at=now - timedelta(seconds=i), **fields
        )
        for i in range(n)
    )


# --- Parameters ------------------------------------------------------------------------


def test_report_lists_codes_newest_first_with_every_column(
    admin_client, site, report_url, make_code, make_session
):
    session = make_session(site, "Deep dive")
    old = make_code(site, "OLDER1", created_at=timezone.now() - timedelta(days=2))
    new = make_code(
        site,
        "NEWER1",
        recipient_name="Ada",
        recipient_email="ada@example.com",
        discount_type="fixed",
        discount_value=Decimal("5"),
        max_uses=None,
        uses=4,
        applies_to="sessions",
    )
    new.sessions.add(session)
    response = admin_client.get(report_url)
    assert shown_codes(response) == ["NEWER1", "OLDER1"]
    body = response.content.decode()
    shown = re.sub(r"<[^>]+>", "", body)  # the e-mail reads whole between its <wbr> pieces
    for text in ("Ada", "ada@example.com", "$5.00", "Deep dive", "4 / unlimited", "0 / 1", "10%"):
        assert text in shown, text
    assert old.expires_on.strftime("%d/%m/%Y") in body
    assert "Active" in body and 'name="ids"' in body and "Export CSV" in body


def test_report_shows_only_the_chosen_service(admin_client, site, report_url, make_code):
    make_code(site, "EVENTS1")
    make_code(site, "TRAIN1", service="training")
    assert shown_codes(admin_client.get(report_url)) == ["EVENTS1"]
    training = reverse("promocode-report", args=[site.slug, "training"])
    assert shown_codes(admin_client.get(training)) == ["TRAIN1"]


def test_choosing_the_other_service_follows_its_url(admin_client, site, report_url):
    response = admin_client.get(report_url, {"service": "training", "status": "active"})
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("promocode-report", args=[site.slug, "training"])
    )


@pytest.mark.parametrize("status", ["active", "used_up", "expired", "deleted"])
def test_status_filter(admin_client, site, report_url, make_code, status):
    for each in ("active", "used_up", "expired", "deleted"):
        make_code(site, f"S-{each}".upper().replace("_", ""), status=each)
    codes = shown_codes(admin_client.get(report_url, {"status": status}))
    assert codes == [f"S-{status}".upper().replace("_", "")]


def test_created_between_uses_the_site_days(admin_client, site, report_url, make_code):
    tz = ZoneInfo(site.time_zone)
    # 23:30 on 10 March in New York is already 11 March in UTC.
    make_code(site, "LATE10", created_at=datetime(2026, 3, 10, 23, 30, tzinfo=tz))
    make_code(site, "EARLY11", created_at=datetime(2026, 3, 11, 0, 30, tzinfo=tz))
    make_code(site, "DAY12", created_at=datetime(2026, 3, 12, 12, 0, tzinfo=tz))
    params = {"created_from": "10/03/2026", "created_to": "10/03/2026"}
    assert shown_codes(admin_client.get(report_url, params)) == ["LATE10"]
    params = {"created_from": "11/03/2026", "created_to": "2026-03-12"}
    assert shown_codes(admin_client.get(report_url, params)) == ["DAY12", "EARLY11"]


def test_expiring_between(admin_client, site, report_url, make_code):
    base = date.today() + timedelta(days=10)
    for offset in range(5):
        make_code(site, f"EXP{offset}", expires_on=base + timedelta(days=offset))
    params = {
        "expires_from": (base + timedelta(days=1)).strftime("%d/%m/%Y"),
        "expires_to": (base + timedelta(days=3)).strftime("%d/%m/%Y"),
    }
    assert sorted(shown_codes(admin_client.get(report_url, params))) == ["EXP1", "EXP2", "EXP3"]


def test_code_or_recipient_contains_ignores_case(admin_client, site, report_url, make_code):
    make_code(site, "SPRING26")
    make_code(site, "XYZ1", recipient_name="Jane Springfield")
    make_code(site, "XYZ2", recipient_email="spring@example.com")
    make_code(site, "OTHER1", recipient_name="Bob")
    assert sorted(shown_codes(admin_client.get(report_url, {"q": "sPrInG"}))) == [
        "SPRING26",
        "XYZ1",
        "XYZ2",
    ]


def test_filters_combine(admin_client, site, report_url, make_code):
    make_code(site, "MATCH1", status="expired", recipient_name="Kim")
    make_code(site, "NOPE1", status="active", recipient_name="Kim")
    make_code(site, "NOPE2", status="expired", recipient_name="Lee")
    assert shown_codes(admin_client.get(report_url, {"status": "expired", "q": "kim"})) == [
        "MATCH1"
    ]


def test_bad_parameters_are_field_errors(admin_client, report_url):
    response = admin_client.get(
        report_url,
        {"created_from": "31/31/2026", "expires_from": "10/10/2030", "expires_to": "01/10/2030"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "created_from" in errors and "expires_to" in errors
    assert "rows" not in response.context


def test_report_never_shows_another_sites_codes(
    admin_client, site, other_site, report_url, make_code
):
    make_code(other_site, "FOREIGN1")
    make_code(site, "MINE1")
    assert shown_codes(admin_client.get(report_url, {"q": "1"})) == ["MINE1"]


def test_codes_of_a_creation_batch(
    admin_client, site, report_url, create_url, valid_create_data, make_code
):
    make_code(site, "BEFORE1")
    admin_client.post(create_url, dict(valid_create_data, quantity="4"))
    batch = PromoCode.objects.exclude(code="BEFORE1").first().batch
    assert len(shown_codes(admin_client.get(report_url, {"batch": batch.pk}))) == 4


# --- Pages and counts -------------------------------------------------------------------


def test_keyset_pages_walk_every_code_once_both_ways(admin_client, site, report_url):
    bulk_codes(site, 123)
    seen, after = [], None
    pages = []
    while True:
        response = admin_client.get(report_url, {"after": after} if after else {})
        page = response.context["page"]
        pages.append(page)
        seen += shown_codes(response)
        if not page.has_next:
            break
        after = page.next_cursor
    assert len(seen) == 123 == len(set(seen))
    assert seen == [f"BULK{i:07d}" for i in range(123)]
    assert [len(p.rows) for p in pages] == [50, 50, 23]
    back = admin_client.get(report_url, {"before": pages[2].previous_cursor})
    assert shown_codes(back) == seen[50:100]
    assert back.context["page"].has_previous and back.context["page"].has_next
    first = admin_client.get(report_url, {"before": back.context["page"].previous_cursor})
    assert shown_codes(first) == seen[:50] and not first.context["page"].has_previous


def test_codes_created_in_the_same_instant_page_by_id(admin_client, site, report_url):
    now = timezone.now()
    PromoCode.objects.bulk_create(
        PromoCode(
            site=site,
            service="events",
            code=f"SAME{i:04d}",
            discount_type="percent",
            discount_value=5,
            expires_on=date.today() + timedelta(days=5),
            created_at=now,
        )
        for i in range(75)
    )
    first = admin_client.get(report_url)
    second = admin_client.get(report_url, {"after": first.context["page"].next_cursor})
    codes = shown_codes(first) + shown_codes(second)
    assert len(codes) == 75 == len(set(codes))


def test_malformed_cursor_shows_the_first_page(admin_client, site, report_url, make_code):
    make_code(site, "ONLY1")
    for cursor in ("x", "1-", "-", "99999999999999999999999-1"):
        assert shown_codes(admin_client.get(report_url, {"after": cursor})) in (["ONLY1"], [])


def test_count_is_exact_up_to_the_limit_then_bounded(site, monkeypatch):
    bulk_codes(site, 12)
    codes = selectors.filtered_codes(site, selectors.ReportFilters(service="events"))
    assert selectors.bounded_count(codes, limit=20) == (12, False)
    assert selectors.bounded_count(codes, limit=12) == (12, False)
    assert selectors.bounded_count(codes, limit=10) == (10, True)


@override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=40)
def test_count_above_the_limit_reads_more_than(admin_client, site, report_url, monkeypatch):
    # The page counts up to the larger of COUNT_LIMIT and the charts' limit.
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 55)
    bulk_codes(site, 60)
    body = admin_client.get(report_url).content.decode()
    assert "More than 55 promotional codes" in body


def test_a_single_page_counts_its_rows(admin_client, site, report_url):
    bulk_codes(site, 8)
    assert "8 promotional codes" in admin_client.get(report_url).content.decode()


def test_report_query_count_is_the_same_at_any_size_and_page(
    admin_client, site, report_url, make_session
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = make_session(site, "S")
    counts = []
    for batch, size in enumerate((3, 60, 400, 1500)):
        codes = bulk_codes(site, size, applies_to="sessions", prefix=f"S{batch}X")
        PromoCode.sessions.through.objects.bulk_create(
            PromoCode.sessions.through(promo_code=c, session=session) for c in codes
        )
        bulk_codes(site, size, prefix=f"K{batch}X", applies_to="kind", kind="live_event")
        with CaptureQueriesContext(connection) as first:
            response = admin_client.get(report_url)
        assert response.status_code == 200
        counts.append(len(first))
        cursor = response.context["page"].next_cursor or ""
        for params in ({"after": cursor}, {"after": cursor, "q": "x", "status": "active"}):
            with CaptureQueriesContext(connection) as deeper:
                assert admin_client.get(report_url, params).status_code == 200
            counts.append(len(deeper))
    # session, user, membership + site, rows, their sessions, bounded count (+ the layout's),
    # the insights' two aggregates; a single first page counts its own rows (one query fewer);
    # a searched page asks for the site's batches not yet in the search index (one more).
    per_size = [tuple(counts[i : i + 3]) for i in range(0, len(counts), 3)]
    assert len(set(per_size[1:])) == 1, counts  # every size with more than one page
    first, after, searched = per_size[-1]
    assert first == after and searched == after + 1, counts
    assert min(counts) >= first - 1 and searched <= 11, counts


# --- Extend ---------------------------------------------------------------------------------


def until(days=60):
    return (date.today() + timedelta(days=days)).strftime("%d/%m/%Y")


def test_extend_selected_codes(admin_client, admin, site, action_url, report_url, make_code):
    chosen = [make_code(site, f"PICK{i}") for i in range(3)]
    other = make_code(site, "LEAVE1")
    new_date = until()
    response = admin_client.post(
        action_url,
        {
            "action": "extend",
            "scope": "selected",
            "ids": [c.pk for c in chosen],
            "until": new_date,
            "filters": "",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(report_url)
    assert "3 promotional codes extended until " + new_date in response.content.decode()
    for code in chosen:
        code.refresh_from_db()
        assert code.expires_on.strftime("%d/%m/%Y") == new_date
    other.refresh_from_db()
    assert other.expires_on != chosen[0].expires_on
    assert new_date in response.content.decode()  # the Expiration date column shows it
    revision = Revision.objects.get(area="promocodes.extend")
    assert revision.actor == admin and "3" in revision.summary


def test_deleted_code_cannot_be_extended_and_is_counted(admin_client, site, action_url, make_code):
    live = make_code(site, "LIVE1")
    gone = make_code(site, "GONE1", status="deleted")
    response = admin_client.post(
        action_url,
        {"action": "extend", "ids": [live.pk, gone.pk], "until": until(), "filters": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "1 promotional code extended" in body
    assert "1 deleted code was skipped" in body
    gone.refresh_from_db()
    assert gone.status == "deleted" and gone.expires_on != live.expires_on + timedelta(days=999)
    live.refresh_from_db()
    assert live.expires_on.strftime("%d/%m/%Y") == until()


def test_expired_code_extended_into_the_future_is_active_again(
    admin_client, site, action_url, make_code
):
    code = make_code(site, "OLD1", status="expired", expires_on=date.today() - timedelta(days=3))
    used = make_code(site, "USED1", status="used_up", uses=1)
    admin_client.post(
        action_url, {"action": "extend", "ids": [code.pk, used.pk], "until": until(), "filters": ""}
    )
    code.refresh_from_db()
    used.refresh_from_db()
    assert code.status == "active" and used.status == "used_up"


def test_extend_all_matching_reapplies_the_filters(
    admin_client, site, action_url, make_code, make_site
):
    matching = [make_code(site, f"KEEP{i}", recipient_name="Team A") for i in range(4)]
    other = make_code(site, "OTHER9", recipient_name="Team B")
    foreign = make_code(make_site("zz"), "KEEP0X", recipient_name="Team A")
    admin_client.post(
        action_url,
        {
            "action": "extend",
            "scope": "all",
            "until": until(90),
            "filters": "service=events&q=team+a",
        },
    )
    target = date.today() + timedelta(days=90)
    assert all(PromoCode.objects.get(pk=c.pk).expires_on == target for c in matching)
    assert PromoCode.objects.get(pk=other.pk).expires_on != target
    assert PromoCode.objects.get(pk=foreign.pk).expires_on != target


def test_extend_is_one_update(admin_client, site, action_url, django_assert_max_num_queries):
    bulk_codes(site, 300)
    # session, user, membership, aggregate, UPDATE, revision, savepoints/transaction
    with django_assert_max_num_queries(10) as captured:
        admin_client.post(
            action_url, {"action": "extend", "scope": "all", "until": until(), "filters": ""}
        )
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert PromoCode.objects.filter(expires_on=date.today() + timedelta(days=60)).count() == 300


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "extend", "ids": ["1"], "until": ""}, "Enter the new expiration date"),
        ({"action": "extend", "ids": ["1"], "until": "01/01/2020"}, "in the past"),
        ({"action": "extend", "ids": ["1"], "until": "45/01/2030"}, "valid date"),
        ({"action": "extend", "until": "01/01/2030"}, "Select at least one"),
        ({"action": "explode", "ids": ["1"]}, "valid choice"),
    ],
)
def test_bad_action_input_is_reported_and_changes_nothing(
    admin_client, site, action_url, make_code, data, message
):
    code = make_code(site, "SAFE1")
    data = dict(data, filters="")
    data["ids"] = [str(code.pk)] if "ids" in data else []
    response = admin_client.post(action_url, data, follow=True)
    assert message in response.content.decode()
    code.refresh_from_db()
    assert code.expires_on == date.today() + timedelta(days=30) and code.status == "active"


def test_selected_ids_of_another_site_are_ignored(
    admin_client, site, other_site, action_url, make_code
):
    foreign = make_code(other_site, "THEIRS1")
    admin_client.post(action_url, {"action": "delete", "ids": [foreign.pk], "filters": ""})
    foreign.refresh_from_db()
    assert foreign.status == "active"


# --- Delete ------------------------------------------------------------------------------


def test_delete_marks_codes_deleted_and_keeps_them(
    admin_client, admin, site, action_url, report_url, make_code
):
    codes = [make_code(site, f"DEL{i}", uses=1, max_uses=5) for i in range(2)]
    response = admin_client.post(
        action_url, {"action": "delete", "ids": [c.pk for c in codes], "filters": ""}, follow=True
    )
    assert "2 promotional codes deleted" in response.content.decode()
    for code in codes:
        code.refresh_from_db()
        assert code.status == "deleted" and code.uses == 1
    assert "Deleted" in admin_client.get(report_url, {"status": "deleted"}).content.decode()
    assert Revision.objects.filter(area="promocodes.delete", actor=admin).count() == 1


def test_delete_all_matching_is_one_update(
    admin_client, site, action_url, django_assert_max_num_queries
):
    bulk_codes(site, 250)
    with django_assert_max_num_queries(10) as captured:
        admin_client.post(
            action_url, {"action": "delete", "scope": "all", "filters": "status=active"}
        )
    assert len([q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    assert PromoCode.objects.filter(status="deleted").count() == 250


def test_deleted_code_is_refused_at_payment(site, make_code, make_session):
    from promocodes import bulk

    code = make_code(site, "BYEBYE")
    bulk.soft_delete(site, PromoCode.objects.filter(pk=code.pk), None)
    result = selectors.check(site, "byebye", make_session(site))
    assert result.refusal == "deleted"


# --- Roles and protection ------------------------------------------------------------------


def test_organizer_sees_the_report_without_any_action(
    organizer_client, site, report_url, make_code
):
    make_code(site, "SEEME1")
    response = organizer_client.get(report_url)
    body = response.content.decode()
    assert shown_codes(response) == ["SEEME1"]
    assert 'name="ids"' not in body and "Delete promotional codes" not in body
    assert "Extend until" not in body and 'name="until"' not in body
    assert "Export CSV" in body


def test_organizer_posts_are_refused(organizer_client, site, action_url, make_code):
    code = make_code(site, "NOPE1")
    for data in (
        {"action": "delete", "ids": [code.pk]},
        {"action": "extend", "ids": [code.pk], "until": until()},
    ):
        assert organizer_client.post(action_url, dict(data, filters="")).status_code == 403
    code.refresh_from_db()
    assert code.status == "active"


def test_organizer_may_export_csv(organizer_client, site, csv_url, make_code):
    make_code(site, "CSV1")
    response = organizer_client.get(csv_url)
    assert response.status_code == 200
    assert "CSV1" in b"".join(response.streaming_content).decode()


def test_another_sites_member_gets_404_everywhere(
    outsider_client, site, report_url, action_url, csv_url, make_code
):
    code = make_code(site, "HIDDEN1")
    assert outsider_client.get(report_url).status_code == 404
    assert outsider_client.get(csv_url).status_code == 404
    assert (
        outsider_client.post(action_url, {"action": "delete", "ids": [code.pk]}).status_code == 404
    )
    code.refresh_from_db()
    assert code.status == "active"


def test_anonymous_is_sent_to_login(client, report_url, action_url, csv_url):
    for response in (client.get(report_url), client.get(csv_url), client.post(action_url, {})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_actions_require_csrf(admin, site, action_url, make_code):
    code = make_code(site, "CSRF1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(action_url, {"action": "delete", "ids": [code.pk], "filters": ""})
    assert response.status_code == 403
    code.refresh_from_db()
    assert code.status == "active"


def test_action_with_csrf_token_goes_through(admin, site, report_url, action_url, make_code):
    code = make_code(site, "CSRF2")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    client.get(report_url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        action_url,
        {"action": "delete", "ids": [code.pk], "filters": "", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.status == "deleted"


def test_get_on_the_action_url_is_not_allowed(admin_client, action_url):
    assert admin_client.get(action_url).status_code == 405


# --- CSV ---------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_the_report_columns_and_every_matching_row(
    admin_client, site, csv_url, make_code, make_session
):
    session = make_session(site, "Masterclass")
    make_code(site, "ALLKINDS", recipient_name="Ada", recipient_email="ada@example.com")
    kind = make_code(site, "ONEKIND", applies_to="kind", kind="live_event", max_uses=None)
    chosen = make_code(site, "CHOSEN", discount_type="fixed", discount_value=Decimal("7.5"))
    chosen.sessions.add(session)
    PromoCode.objects.filter(pk=chosen.pk).update(applies_to="sessions")
    make_code(site, "TRAINING", service="training")
    rows = read_csv(admin_client.get(csv_url))
    assert rows[0] == [
        "Code",
        "Recipient",
        "Email",
        "Discount",
        "Applicable to",
        "Uses",
        "Allowed uses",
        "Created",
        "Expiration date",
        "Status",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"ALLKINDS", "ONEKIND", "CHOSEN"}
    assert by_code["ALLKINDS"][1:5] == [
        "Ada",
        "ada@example.com",
        "10%",
        "All programs, events and sessions",
    ]
    assert by_code["ONEKIND"][4] == "Live event" and by_code["ONEKIND"][6] == "Unlimited"
    assert by_code["CHOSEN"][3] == "7.50 USD" and by_code["CHOSEN"][4] == "Masterclass"
    assert by_code["CHOSEN"][8] == kind.expires_on.strftime("%d/%m/%Y")
    assert by_code["CHOSEN"][9] == "Active"


def test_csv_follows_the_filters(admin_client, site, csv_url, make_code):
    make_code(site, "KEEPME", status="expired")
    make_code(site, "DROPME")
    rows = read_csv(admin_client.get(csv_url, {"status": "expired"}))
    assert [row[0] for row in rows[1:]] == ["KEEPME"]


def test_csv_neutralises_formula_injection(admin_client, site, csv_url, make_code, make_session):
    make_code(
        site, "INJ1", recipient_name='=HYPERLINK("http://evil")', recipient_email="+1@example.com"
    )
    make_code(site, "INJ2", recipient_name="@SUM(A1)", recipient_email="-x@example.com")
    make_code(site, "INJ3", recipient_name="\tTab", recipient_email="ok@example.com")
    evil = make_session(site, "=cmd|' /C calc'!A0")
    code = make_code(site, "INJ4", applies_to="sessions")
    code.sessions.add(evil)
    rows = {row[0]: row for row in read_csv(admin_client.get(csv_url))[1:]}
    assert rows["INJ1"][1] == '\'=HYPERLINK("http://evil")' and rows["INJ1"][2] == "'+1@example.com"
    assert rows["INJ2"][1] == "'@SUM(A1)" and rows["INJ2"][2] == "'-x@example.com"
    assert rows["INJ3"][1] == "'\tTab"
    assert rows["INJ4"][4].startswith("'=cmd")
    for row in rows.values():
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_streams_large_reports_in_few_queries(
    admin_client, site, csv_url, django_assert_max_num_queries, make_session
):
    from promocodes import portable

    session = make_session(site, "S1")
    codes = bulk_codes(site, 12_000, applies_to="sessions")
    PromoCode.sessions.through.objects.bulk_create(
        PromoCode.sessions.through(promo_code=c, session=session) for c in codes
    )
    with django_assert_max_num_queries(12):
        response = admin_client.get(csv_url)
        chunks = list(response.streaming_content)
    assert len(chunks) > 10
    text = b"".join(chunks).decode()
    assert text.count("\n") == 12_001 and text.count("S1") == 12_000
    assert portable.CHUNK_ROWS < 12_000


def test_csv_dates_are_in_the_site_time_zone(admin_client, site, csv_url, make_code):
    tz = ZoneInfo(site.time_zone)
    make_code(site, "TZ1", created_at=datetime(2026, 1, 5, 23, 15, tzinfo=tz))
    rows = read_csv(admin_client.get(csv_url))
    assert rows[1][7] == "05/01/2026 23:15"


def test_report_dates_today_helper_uses_the_site_zone(site):
    assert site.today(datetime(2026, 1, 1, 3, 0, tzinfo=ZoneInfo("UTC"))) == date(2025, 12, 31)


def test_search_table_follows_inserts_updates_and_deletes(site, make_code):
    """PostgreSQL keeps the trigram-indexed search text in step by triggers."""
    from promocodes.models import PromoCodeSearch

    code = make_code(site, "TRIG1", recipient_name="Ann", recipient_email="ann@example.com")
    assert PromoCodeSearch.objects.get(pk=code.pk).text == "TRIG1\x1fANN\x1fANN@EXAMPLE.COM"
    PromoCode.objects.filter(pk=code.pk).update(recipient_name="Bea", status="expired")
    assert PromoCodeSearch.objects.get(pk=code.pk).text == "TRIG1\x1fBEA\x1fANN@EXAMPLE.COM"
    found = selectors.filtered_codes(
        site, selectors.ReportFilters(service="events", contains="bea")
    )
    assert list(found) == [PromoCode.objects.get(pk=code.pk)]
    PromoCode.objects.filter(pk=code.pk).delete()
    assert not PromoCodeSearch.objects.filter(pk=code.pk).exists()


def test_csv_from_postgresql_copy_matches_the_portable_path(site, make_code, make_session):
    """The COPY export (PostgreSQL) and the Python one (other databases) write the same cells."""
    from promocodes import pg, portable

    assert connection_vendor() == "postgresql"
    titled = make_session(site, '=Evil, "quoted" title')
    plain = make_session(site, "Basics")
    make_code(site, "P1", recipient_name='Zoë, "Z"', recipient_email="z@example.com")
    make_code(site, "P2", discount_type="fixed", discount_value=Decimal("1234.5"), max_uses=None)
    make_code(site, "P3", discount_value=Decimal("12.5"), applies_to="kind", kind="live_event")
    both = make_code(site, "P4", applies_to="sessions", status="deleted", recipient_name="+1")
    both.sessions.add(titled, plain)
    make_code(site, "P5", applies_to="sessions", status="used_up", uses=1)
    make_code(site, "P6", recipient_name="line\nbreak", status="expired")
    codes = selectors.filtered_codes(site, selectors.ReportFilters(service="events"))
    copied = b"".join(pg.csv_blocks(site, codes)).decode()
    portable = b"".join(portable.csv_blocks(site, codes)).decode()
    assert list(csv.reader(io.StringIO(copied))) == list(csv.reader(io.StringIO(portable)))
    rows = {row[0]: row for row in csv.reader(io.StringIO(copied))}
    assert rows["P4"][4] == '\'=Evil, "quoted" title; Basics'
    assert rows["P2"][3] == "1234.50 USD" and rows["P3"][3] == "12.5%"


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def test_charts_line_is_in_french_with_the_number_localised(admin_client, site, report_url):
    bulk_codes(site, 1001)
    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=1000):
        english = admin_client.get(report_url).content.decode()
        admin_client.cookies["django_language"] = "fr"
        french = admin_client.get(report_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Charts are not drawn automatically for more than 1,000 rows:" in english
    line = french.split("data-charts-deferred>")[1].split("</p>")[0]
    assert line.startswith(
        "Les graphiques ne sont pas tracés automatiquement au-delà de 1\u00a0000 lignes\u00a0:"
    )
    assert "Afficher les graphiques</a>" in line

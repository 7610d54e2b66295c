"""The Transactions report: filters, totals, pages, CSV, roles, isolation, deleting test
payments."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from payments import selectors, transactions
from payments.models import Payment, PaymentStatus, Refund, Registration
from promocodes import redemption
from promocodes.models import PromoCode, PromoCodeUse
from promocodes.selectors import find_code
from sites.models import Revision, Session

pytestmark = pytest.mark.django_db

_serial = count(1)


def report_url(site, query=""):
    url = reverse("transactions", args=[site.slug])
    return f"{url}?{query}" if query else url


def csv_url(site, query=""):
    return reverse("transactions-csv", args=[site.slug]) + (f"?{query}" if query else "")


def delete_url(site):
    return reverse("transactions-delete-test", args=[site.slug])


def refund_url(site, payment):
    return reverse("transaction-refund", args=[site.slug, payment.pk])


@pytest.fixture
def session(site):
    return Session.objects.create(
        site=site, title="Webex 101", service="events", kind="event_recording", fee=50
    )


@pytest.fixture
def make_payment(session):
    def make(**fields):
        site = fields.pop("site", session.site)
        created_at = fields.pop("created_at", None)
        n = next(_serial)
        fee = Decimal(fields.pop("fee", "50.00"))
        discount = Decimal(fields.pop("discount", "0.00"))
        fields.setdefault("amount", fee - discount)
        fields.setdefault("session", session if site == session.site else None)
        if fields["session"] is None:
            fields["session"] = Session.objects.create(
                site=site, title="Other", service="events", kind="event_recording", fee=fee
            )
        fields.setdefault("attendee_name", f"Attendee {n}")
        fields.setdefault("attendee_email", f"attendee{n}@example.com")
        fields.setdefault("currency", "USD")
        fields.setdefault("provider", "payflow_pro")
        fields.setdefault("method", "card")
        fields.setdefault("status", PaymentStatus.PAID)
        fields.setdefault("is_test", False)
        fields.setdefault("card_brand", "Visa")
        fields.setdefault("card_last4", "1111")
        fields.setdefault("gateway_reference", f"A1B2C3D4E{n:03d}")
        payment = Payment.objects.create(site=site, fee=fee, discount=discount, **fields)
        if created_at is not None:
            Payment.objects.filter(pk=payment.pk).update(created_at=created_at)
            payment.refresh_from_db()
        if payment.status == PaymentStatus.PAID:
            Registration.objects.create(
                site=site,
                session=payment.session,
                payment=payment,
                attendee_name=payment.attendee_name,
                attendee_email=payment.attendee_email,
            )
        return payment

    return make


def totals_of(response):
    return {t.currency: t for t in response.context["totals"]}


# --- report -----------------------------------------------------------------------------------


def test_report_lists_payments_with_every_column(admin_client, site, make_payment):
    make_payment(
        attendee_name="Ada Lovelace",
        attendee_email="ada@example.com",
        fee="50.00",
        discount="10.00",
        refunded_amount=Decimal("5.00"),
        gateway_reference="V19A2B3C4D5E",
        created_at=datetime(2030, 1, 15, 15, 0, tzinfo=UTC),
    )
    response = admin_client.get(report_url(site))
    assert response.status_code == 200
    body = re.sub(r"<wbr>|</?span[^>]*>", "", response.content.decode())  # e-mails whole
    for text in (
        "Ada Lovelace",
        "ada@example.com",
        "Webex 101",
        "$40.00",
        "$10.00",
        "$5.00",
        "USD",
        "Paid",
        "Card",
        "Visa •••• 1111",
        "V19A2B3C4D5E",
        "15/01/2030 10:00",  # New York time
    ):
        assert text in body, text


def test_totals_are_gross_discounts_net_of_paid_live_payments(admin_client, site, make_payment):
    make_payment(fee="50.00", discount="10.00", refunded_amount=Decimal("15.00"))
    make_payment(fee="20.00")
    make_payment(fee="30.00", status=PaymentStatus.DECLINED)
    make_payment(fee="999.00", is_test=True)
    usd = totals_of(admin_client.get(report_url(site)))["USD"]
    assert usd.count == 3 and usd.paid_count == 2
    assert usd.gross == Decimal("70.00")
    assert usd.discounts == Decimal("10.00")
    assert usd.refunded == Decimal("15.00")
    assert usd.net == Decimal("45.00")  # (40 - 15) + 20


def test_test_payments_are_counted_only_when_asked_for(admin_client, site, make_payment):
    make_payment(fee="20.00")
    make_payment(fee="999.00", is_test=True)
    live = admin_client.get(report_url(site))
    assert totals_of(live)["USD"].gross == Decimal("20.00")
    assert "TEST" not in live.content.decode().split("<tbody>", 2)[-1]
    both = admin_client.get(report_url(site, "scope=all"))
    assert totals_of(both)["USD"].gross == Decimal("1019.00")
    assert "data-test-marker" in both.content.decode()
    only_test = admin_client.get(report_url(site, "scope=test"))
    assert totals_of(only_test)["USD"].gross == Decimal("999.00")


def test_totals_are_kept_apart_per_currency(admin_client, site, make_payment):
    make_payment(fee="20.00")
    make_payment(fee="30.00", currency="CAD", provider="express_checkout_ca", method="paypal")
    totals = totals_of(admin_client.get(report_url(site)))
    assert totals["USD"].gross == Decimal("20.00") and totals["CAD"].gross == Decimal("30.00")


def test_totals_come_from_one_aggregate_query(site, make_payment, django_assert_num_queries):
    make_payment()
    make_payment(currency="CAD")
    payments = selectors.filtered_payments(site, selectors.TransactionFilters())
    with django_assert_num_queries(1):
        assert len(selectors.report_totals(payments)) == 2


def test_dates_are_the_site_local_days_in_both_formats(admin_client, site, make_payment):
    # 03:00 UTC on 1 January is still 31 December in New York.
    make_payment(attendee_name="Late", created_at=datetime(2030, 1, 1, 3, 0, tzinfo=UTC))
    make_payment(attendee_name="Early", created_at=datetime(2030, 1, 1, 6, 0, tzinfo=UTC))
    for start, end in (("01/01/2030", "01/01/2030"), ("2030-01-01", "2030-01-01")):
        body = admin_client.get(report_url(site, f"date_from={start}&date_to={end}")).content
        assert b"Early" in body and b"Late" not in body
    body = admin_client.get(report_url(site, "date_to=31/12/2029")).content
    assert b"Late" in body and b"Early" not in body


def test_filters_by_session_and_status(admin_client, site, session, make_payment):
    other = Session.objects.create(
        site=site, title="Other", service="events", kind="event_recording", fee=5
    )
    make_payment(attendee_name="In session")
    make_payment(attendee_name="Elsewhere", session=other)
    make_payment(attendee_name="Declined one", status=PaymentStatus.DECLINED)
    body = admin_client.get(report_url(site, f"session={session.pk}&status=paid")).content
    assert b"In session" in body
    assert b"Elsewhere" not in body and b"Declined one" not in body


@pytest.mark.parametrize(
    "query, field",
    [
        ("date_from=32/01/2030", "date_from"),
        ("date_to=tomorrow", "date_to"),
        ("date_from=02/01/2030&date_to=01/01/2030", "date_to"),
        ("status=refunded", "status"),
        ("scope=everything", "scope"),
        ("session=abc", "session"),
    ],
)
def test_bad_parameters_give_field_errors_not_a_500(admin_client, site, query, field):
    response = admin_client.get(report_url(site, query))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "totals" not in response.context


def test_another_sites_session_is_not_a_valid_choice(admin_client, site, other_site):
    foreign = Session.objects.create(
        site=other_site, title="Globex", service="events", kind="event_recording", fee=5
    )
    response = admin_client.get(report_url(site, f"session={foreign.pk}"))
    assert "session" in response.context["form"].errors


def test_report_never_shows_another_sites_payments(admin_client, site, other_site, make_payment):
    make_payment(site=other_site, attendee_name="Globex buyer")
    response = admin_client.get(report_url(site, "scope=all"))
    assert b"Globex buyer" not in response.content
    assert response.context["totals"] == []


def test_report_pages_hold_fifty_and_keep_the_parameters(admin_client, site, make_payment):
    for _ in range(selectors.PAGE_SIZE + 3):
        make_payment(is_test=True)
    first = admin_client.get(report_url(site, "scope=test"))
    assert len(first.context["rows"]) == selectors.PAGE_SIZE
    assert "?scope=test&amp;page=2" in first.content.decode()
    second = admin_client.get(report_url(site, "scope=test&page=2"))
    assert len(second.context["rows"]) == 3
    assert admin_client.get(report_url(site, "scope=test&page=zzz")).status_code == 200


def test_report_query_count_is_the_same_at_any_size(
    admin_client, site, make_payment, django_assert_max_num_queries
):
    make_payment()
    with django_assert_max_num_queries(20) as few:
        admin_client.get(report_url(site, "scope=all"))
    baseline = len(few.captured_queries)
    for n in range(60):
        make_payment(is_test=bool(n % 2), refunded_amount=Decimal("1.00"))
    with django_assert_max_num_queries(baseline):
        admin_client.get(report_url(site, "scope=all"))
    with django_assert_max_num_queries(baseline):
        admin_client.get(report_url(site, "scope=all&page=2"))


def test_organizer_reads_the_report_without_action_controls(organizer_client, site, make_payment):
    make_payment(is_test=True)
    make_payment()
    response = organizer_client.get(report_url(site, "scope=all"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Delete test payments" not in body
    assert 'name="ids"' not in body
    assert "/refund/" not in body
    assert organizer_client.get(csv_url(site)).status_code == 200


def test_admin_sees_refund_links_and_delete_controls_only_with_test_payments_shown(
    admin_client, site, make_payment
):
    paid = make_payment()
    live_only = admin_client.get(report_url(site)).content.decode()
    assert refund_url(site, paid) in live_only
    assert "Delete test payments" not in live_only
    assert (
        "Delete test payments" in admin_client.get(report_url(site, "scope=all")).content.decode()
    )


@pytest.mark.parametrize("name", ["transactions", "transactions-csv"])
def test_report_and_csv_are_404_for_another_sites_member(outsider_client, site, name):
    assert outsider_client.get(reverse(name, args=[site.slug])).status_code == 404


def test_report_asks_anonymous_visitors_to_log_in(client, site):
    response = client.get(report_url(site))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- CSV --------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="transactions-acme-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_holds_the_filtered_report(admin_client, site, make_payment):
    make_payment(
        attendee_name="Ada",
        attendee_email="ada@example.com",
        fee="50.00",
        discount="10.00",
        gateway_reference="V19A2B3C4D5E",
        created_at=datetime(2030, 1, 15, 15, 0, tzinfo=UTC),
    )
    make_payment(attendee_name="Tess", is_test=True)
    header, *rows = read_csv(admin_client.get(csv_url(site)))
    assert header[:4] == ["Date", "Attendee", "E-mail", "Session"]
    assert rows == [
        [
            "15/01/2030 10:00",
            "Ada",
            "ada@example.com",
            "Webex 101",
            "50.00",
            "10.00",
            "40.00",
            "0.00",
            "USD",
            "Paid",
            "Card",
            "Visa •••• 1111",
            "V19A2B3C4D5E",
            "",
            str(Payment.objects.get(attendee_name="Ada").pk),
            "0.00",
        ]
    ]
    _header, *with_test = read_csv(admin_client.get(csv_url(site, "scope=all")))
    assert {row[1] for row in with_test} == {"Ada", "Tess"}
    assert [row[13] for row in with_test if row[1] == "Tess"] == ["Test"]


@pytest.mark.parametrize(
    "evil", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_csv_cells_never_run_as_formulas(admin_client, site, session, make_payment, evil):
    session.title = evil
    session.save()
    make_payment(attendee_name=evil, attendee_email="evil@example.com")
    _header, row = read_csv(admin_client.get(csv_url(site)))
    assert row[1] == "'" + evil
    assert row[3] == "'" + evil


def test_csv_with_bad_parameters_goes_back_to_the_report(admin_client, site):
    response = admin_client.get(csv_url(site, "date_from=nope"))
    assert response.status_code == 302
    assert response["Location"].startswith(report_url(site))


def test_csv_query_count_does_not_grow_with_rows(
    admin_client, site, make_payment, django_assert_max_num_queries
):
    make_payment()
    with django_assert_max_num_queries(10) as few:
        b"".join(admin_client.get(csv_url(site, "scope=all")).streaming_content)
    for _ in range(40):
        make_payment(is_test=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        b"".join(admin_client.get(csv_url(site, "scope=all")).streaming_content)


# --- deleting test payments -------------------------------------------------------------------


def post_delete(client, site, **data):
    data.setdefault("filters", "scope=all")
    return client.post(delete_url(site), data)


def test_selected_test_payments_are_deleted_with_their_registrations_and_refunds(
    admin_client, admin, site, other_site, make_payment
):
    test_paid = make_payment(is_test=True)
    Refund.objects.create(payment=test_paid, amount=Decimal("5.00"), status=PaymentStatus.PAID)
    test_failed = make_payment(is_test=True, status=PaymentStatus.FAILED)
    live = make_payment()
    foreign = make_payment(site=other_site, is_test=True)
    response = post_delete(
        admin_client,
        site,
        scope="selected",
        ids=[test_paid.pk, test_failed.pk, live.pk, foreign.pk],
    )
    assert response.status_code == 302
    assert response["Location"] == report_url(site, "scope=all")
    remaining = set(Payment.objects.values_list("pk", flat=True))
    assert remaining == {live.pk, foreign.pk}
    assert not Registration.objects.filter(payment_id=test_paid.pk).exists()
    assert Registration.objects.filter(payment_id=live.pk).exists()
    assert not Refund.objects.exists()
    revision = Revision.objects.for_site(site).get()
    assert revision.actor == admin and revision.summary == "Deleted 2 test payments."
    assert not Revision.objects.for_site(other_site).exists()


def test_every_matching_test_payment_can_be_deleted_and_live_ones_never(
    admin_client, site, session, make_payment
):
    other = Session.objects.create(
        site=site, title="Other", service="events", kind="event_recording", fee=5
    )
    make_payment(is_test=True)
    make_payment(is_test=True)
    kept_other_session = make_payment(is_test=True, session=other)
    live = make_payment()
    post_delete(admin_client, site, scope="matching", filters=f"scope=all&session={session.pk}")
    assert set(Payment.objects.values_list("pk", flat=True)) == {kept_other_session.pk, live.pk}


def test_payments_still_in_progress_are_kept(admin_client, site, make_payment):
    pending = make_payment(is_test=True, status=PaymentStatus.PENDING)
    make_payment(is_test=True, status=PaymentStatus.DECLINED)
    response = post_delete(admin_client, site, scope="matching")
    assert list(Payment.objects.values_list("pk", flat=True)) == [pending.pk]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 test payment deleted." in messages
    assert "1 test payment still in progress was kept." in messages


def test_deleting_a_test_payment_gives_its_promo_code_use_back(site, admin, make_payment):
    code = PromoCode.objects.create(
        site=site,
        service="events",
        code="TEST10",
        max_uses=1,
        discount_type="fixed",
        discount_value=Decimal("10.00"),
        expires_on=date.today() + timedelta(days=30),
    )
    use = redemption.redeem(site, find_code(site, "TEST10"), Session.objects.get(), reference="p-1")
    code.refresh_from_db()
    assert code.uses == 1 and code.status == "used_up"
    payment = make_payment(is_test=True, promo_code=code, promo_use=use, discount="10.00")
    result = transactions.delete_test_payments(site, Payment.objects.all(), admin)
    assert result.deleted == 1
    assert not Payment.objects.filter(pk=payment.pk).exists()
    code.refresh_from_db()
    assert code.uses == 0 and code.status == "active"
    assert PromoCodeUse.objects.get(pk=use.pk).released_at is not None


def test_delete_statements_do_not_grow_with_the_number_of_payments(
    site, admin, make_payment, django_assert_max_num_queries
):
    for _ in range(3):
        make_payment(is_test=True)
    with django_assert_max_num_queries(20) as few:
        transactions.delete_test_payments(site, Payment.objects.all(), admin)
    for _ in range(40):
        make_payment(is_test=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert transactions.delete_test_payments(site, Payment.objects.all(), admin).deleted == 40


def test_deleting_nothing_selected_says_so(admin_client, site, make_payment):
    make_payment(is_test=True)
    response = post_delete(admin_client, site, scope="selected")
    assert response.status_code == 302
    assert Payment.objects.count() == 1
    assert "Select at least one test payment." in [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize(
    "data",
    [
        {"scope": "everything"},
        {"scope": "selected", "ids": ["abc"]},
        {"scope": "matching", "filters": "date_from=nope"},
    ],
)
def test_bad_delete_requests_delete_nothing(admin_client, site, make_payment, data):
    make_payment(is_test=True)
    response = post_delete(admin_client, site, **data)
    assert response.status_code == 302
    assert Payment.objects.count() == 1


def test_organizer_cannot_delete_test_payments(organizer_client, site, make_payment):
    payment = make_payment(is_test=True)
    response = post_delete(organizer_client, site, scope="selected", ids=[payment.pk])
    assert response.status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_another_sites_admin_cannot_delete_test_payments(outsider_client, site, make_payment):
    payment = make_payment(is_test=True)
    response = post_delete(outsider_client, site, scope="matching")
    assert response.status_code == 404
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_delete_needs_the_csrf_token(admin, site, make_payment):
    make_payment(is_test=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert post_delete(client, site, scope="matching").status_code == 403
    assert Payment.objects.count() == 1


def test_delete_answers_only_post(admin_client, site):
    assert admin_client.get(delete_url(site)).status_code == 405


# --- ops admin --------------------------------------------------------------------------------


@pytest.fixture
def ops_client(django_user_model):
    ops = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw-ops")
    client = Client()
    client.force_login(ops)
    return client


def test_ops_see_payments_read_only(ops_client, make_payment):
    payment = make_payment(attendee_email="ada@example.com")
    changelist = ops_client.get(reverse("admin:payments_payment_changelist") + "?q=ada@")
    assert changelist.status_code == 200 and b"ada@example.com" in changelist.content
    assert ops_client.get(reverse("admin:payments_payment_add")).status_code == 403
    detail = ops_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert (
        ops_client.post(
            reverse("admin:payments_payment_delete", args=[payment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Payment.objects.filter(pk=payment.pk).exists()
    for name in ("refund", "registration"):
        assert ops_client.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
        assert ops_client.get(reverse(f"admin:payments_{name}_add")).status_code == 403


def test_ops_filters_payments_by_site_status_test_and_provider(ops_client, site, make_payment):
    make_payment()
    url = reverse("admin:payments_payment_changelist")
    query = f"?site__id__exact={site.pk}&status__exact=paid&is_test__exact=0&provider=payflow_pro"
    response = ops_client.get(url + query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


# --- shown at once, why nothing matches, the dashboard -----------------------------------------


def test_report_shows_at_once_with_live_payments_by_default(admin_client, site, make_payment):
    make_payment(fee="20.00")
    response = admin_client.get(report_url(site))
    body = response.content.decode()
    assert "data-dashboard" in body and "data-totals" in body
    assert response.context["form"]["scope"].value() == "live"


def test_no_live_payment_says_so_and_links_to_the_test_payments(admin_client, site, make_payment):
    for _ in range(3):
        make_payment(is_test=True)
    response = admin_client.get(report_url(site, "session="))
    body = response.content.decode()
    assert "No live payment matches yet — 3 test payments do." in body
    assert 'href="?scope=test" data-show-test' in body
    shown = admin_client.get(report_url(site, "scope=test"))
    assert len(shown.context["rows"]) == 3 and "data-empty-reason" not in shown.content.decode()


def test_empty_report_keeps_the_other_parameters_in_its_link(
    admin_client, site, session, make_payment
):
    make_payment(is_test=True)
    body = admin_client.get(report_url(site, f"session={session.pk}")).content.decode()
    assert f'href="?session={session.pk}&amp;scope=test" data-show-test' in body


def test_empty_report_says_when_the_parameters_narrow_it(admin_client, site, make_payment):
    make_payment(created_at=datetime(2030, 1, 15, 15, 0, tzinfo=UTC))
    body = admin_client.get(report_url(site, "date_from=01/02/2030")).content.decode()
    assert "No payment matches these parameters (dates, session or status)." in body
    assert 'href="?scope=all" data-show-all' in body


def test_no_payment_at_all_says_payments_will_appear(admin_client, site):
    body = admin_client.get(report_url(site)).content.decode()
    assert "No live payment yet, and no test payment either" in body
    assert "data-dashboard" not in body


def test_empty_reason_is_in_french(admin_client, site, make_payment):
    make_payment(is_test=True)
    admin_client.cookies["django_language"] = "fr"
    body = admin_client.get(report_url(site), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucun paiement réel" in body


def chart_figures(response, key):
    """The figures of one chart, as its table gives them: {label: value}."""
    for group in response.context["charts"].values():
        for chart in group:
            if chart.key == key:
                return {p.label: p.value for p in chart.points}
    raise AssertionError(f"no chart {key}")


def test_dashboard_figures_on_known_payments(admin_client, site, session, make_payment):
    monday = datetime(2030, 1, 14, 15, 0, tzinfo=UTC)
    make_payment(fee="50.00", created_at=monday)
    make_payment(fee="30.00", created_at=monday + timedelta(days=2), method="paypal")
    make_payment(fee="20.00", created_at=monday + timedelta(days=14))  # 2 weeks later
    make_payment(fee="40.00", created_at=monday, refunded_amount=Decimal("5.00"))
    make_payment(fee="10.00", created_at=monday, status=PaymentStatus.DECLINED)
    make_payment(fee="10.00", created_at=monday, status=PaymentStatus.AWAITING_PAYPAL)
    make_payment(fee="10.00", created_at=monday, status=PaymentStatus.REVERSED)
    make_payment(fee="77.00", created_at=monday, currency="CAD")
    make_payment(fee="999.00", created_at=monday, is_test=True)
    response = admin_client.get(report_url(site))
    revenue = chart_figures(response, "revenue-usd-live")
    # Weeks of 14 Jan (50 + 30 + 40 + the reversed 10), 21 Jan (none), 28 Jan (20).
    assert revenue == {
        "14/01/2030": Decimal("130.00"),
        "21/01/2030": Decimal("0.00"),
        "28/01/2030": Decimal("20.00"),
    }
    assert chart_figures(response, "revenue-cad-live") == {"14/01/2030": Decimal("77.00")}
    keys = [c.key for c in response.context["charts"]["revenue"]]
    assert "revenue-usd-test" not in keys  # live only, as the table
    outcomes = chart_figures(response, "outcome")
    assert outcomes["Paid"] == 4 and outcomes["Refunded (in part or in full)"] == 1
    assert outcomes["Declined or failed"] == 1 and outcomes["Pending or awaiting PayPal"] == 1
    assert outcomes["Reversed by PayPal"] == 1 and outcomes["Cancelled or abandoned"] == 0
    assert chart_figures(response, "method") == {"Card": 7, "PayPal": 1}
    assert chart_figures(response, "sessions") == {"Webex 101 (USD)": 5, "Webex 101 (CAD)": 1}

    both = admin_client.get(report_url(site, "scope=all"))
    assert chart_figures(both, "revenue-usd-test") == {"14/01/2030": Decimal("999.00")}
    body = both.content.decode()
    assert 'fill="url(#hatch-revenue-usd-test)"' in body  # test money is hatched, not coloured


def test_dashboard_is_day_by_day_over_a_short_range_and_follows_the_filters(
    admin_client, site, session, make_payment
):
    other = Session.objects.create(
        site=site, title="Other talk", service="events", kind="event_recording", fee=50
    )
    day = datetime(2030, 1, 14, 15, 0, tzinfo=UTC)
    make_payment(fee="50.00", created_at=day)
    make_payment(fee="30.00", created_at=day + timedelta(days=2))
    make_payment(fee="25.00", created_at=day, session=other)
    make_payment(fee="60.00", created_at=day + timedelta(days=40))  # outside the dates
    response = admin_client.get(
        report_url(site, f"date_from=14/01/2030&date_to=20/01/2030&session={session.pk}")
    )
    assert chart_figures(response, "revenue-usd-live") == {
        "14/01/2030": Decimal("50.00"),
        "15/01/2030": Decimal("0.00"),
        "16/01/2030": Decimal("30.00"),
    }
    assert chart_figures(response, "sessions") == {"Webex 101 (USD)": 2}
    status = admin_client.get(report_url(site, "status=declined"))
    assert "data-dashboard" not in status.content.decode()  # nothing matches: no charts


def test_dashboard_never_counts_another_sites_payments(
    admin_client, site, other_site, make_payment
):
    make_payment(fee="20.00")
    make_payment(site=other_site, fee="500.00")
    make_payment(site=other_site, fee="500.00", method="paypal", status=PaymentStatus.DECLINED)
    response = admin_client.get(report_url(site))
    assert sum(chart_figures(response, "revenue-usd-live").values()) == Decimal("20.00")
    assert chart_figures(response, "method") == {"Card": 1, "PayPal": 0}
    assert list(chart_figures(response, "sessions")) == ["Webex 101 (USD)"]


def test_dashboard_charts_carry_their_figures_as_tables(admin_client, site, make_payment):
    make_payment(fee="20.00")
    body = admin_client.get(report_url(site)).content.decode()
    assert body.count("<svg") == body.count("data-chart-table") == 4  # revenue, 2 bars, top
    assert 'role="img"' in body and "style=" not in body.split("data-dashboard")[1]


def test_dashboard_costs_three_queries_at_any_size(site, make_payment, django_assert_num_queries):
    from payments import dashboard

    for n in range(30):
        make_payment(
            is_test=bool(n % 3), method="paypal" if n % 2 else "card", status=PaymentStatus.PAID
        )
    filters = selectors.TransactionFilters(scope=selectors.Scope.ALL)
    payments = selectors.filtered_payments(site, filters)
    with django_assert_num_queries(3):
        charts = dashboard.dashboard(site, filters, payments)
    assert {c.key for c in charts["revenue"]} == {"revenue-usd-live", "revenue-usd-test"}


# --- the charts: inline up to REPORT_CHARTS_INLINE_MAX_ROWS, on request above it ---------------


def report_queries(client, url):
    """``(response, queries)``: the report page and how many queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_charts_are_inline_up_to_the_limit_then_on_request(
    admin_client, site, session, make_payment
):
    for _ in range(3):
        make_payment(fee="20.00")
    query = f"session={session.pk}&status=paid"
    inline, drawn = report_queries(admin_client, report_url(site, query))
    assert "data-dashboard" in inline.content.decode()
    assert "charts_deferred" not in inline.context

    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=3):  # at the limit: still inline
        assert "data-dashboard" in admin_client.get(report_url(site, query)).content.decode()
    with override_settings(REPORT_CHARTS_INLINE_MAX_ROWS=2):
        over, deferred = report_queries(admin_client, report_url(site, query))
        body = over.content.decode()
        # The dashboard's three aggregates are left out, and nothing is counted instead.
        assert deferred == drawn - 3
        assert "data-dashboard" not in body and "data-totals" in body
        assert "Charts are not drawn automatically for more than 2 rows:" in body
        link = escape(f"?{over.context['querystring']}&charts=1")
        assert f'href="{link}" data-show-charts>Show charts</a>' in body
        assert f"session={session.pk}" in link and "status=paid" in link
        asked, with_charts = report_queries(admin_client, report_url(site, f"{query}&charts=1"))
        assert with_charts == drawn
        assert chart_figures(asked, "revenue-usd-live") and "data-charts-deferred" not in (
            asked.content.decode()
        )
        for flag in ("0", "no", "x" * 50):
            shown = admin_client.get(report_url(site, f"{query}&charts={flag}"))
            assert shown.status_code == 200 and "data-charts-deferred" in shown.content.decode()

"""Boundary input never reaches the database as a value it cannot hold (issue 12, items 2, 4, 5).

On PostgreSQL (the test database). Each test names the class of input it guards: dates
outside 2000–2100 in the site's time zone (``sites.dates``), ids and cursors outside any
table's range, flags that are no id (``sites.inputs``), e-mail addresses longer than their
column, control characters typed or uploaded. The same checks on the SQLite demo are in
``test_input_bounds_sqlite.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from promocodes.models import PromoCode
from sites import dates, inputs
from sites.models import Session
from tests.api.openapi import ValidatingClient

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: more than any 64-bit integer
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + "." + "c" * 30  # 287, valid


def create_data(**overrides) -> dict:
    data = {
        "service": "events",
        "code_type": "generated",
        "quantity": "1",
        "code_length": "8",
        "usage": "once",
        "discount_type": "percent",
        "discount_value": "10",
        "expires_on": "31/12/2030",
        "applies_to": "all",
    }
    data.update(overrides)
    return data


def session_data(**overrides) -> dict:
    data = {
        "title": "Boundary class",
        "service": "training",
        "kind": "live_training",
        "starts_at": "24/12/2030 09:30",
        "fee": "10.00",
    }
    data.update(overrides)
    return data


def form_errors(response, name="form") -> dict:
    assert response.status_code == 200, response.status_code
    return response.context[name].errors


def api_of(world) -> ValidatingClient:
    """A read-write API key of the attacked site's administrator, as a checked client."""
    from api import keys

    plain = keys.create_key(
        world.a.site, world.admin, name="Bounds", holder=world.admin, scope="write"
    )[1]
    return ValidatingClient(HTTP_AUTHORIZATION=f"Bearer {plain}")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- 12.2: one range for every date ----------------------------------------------------------


def test_the_long_email_is_valid_and_longer_than_the_column():
    from django.core.validators import validate_email

    validate_email(LONG_EMAIL)
    assert len(LONG_EMAIL) == 287 > PromoCode._meta.get_field("recipient_email").max_length


@pytest.mark.parametrize(
    ("site_name", "typed"),
    [
        ("a", "31/12/9999 23:59"),  # New York: year 10000 in UTC
        ("b", "01/01/0001 00:00"),  # Paris: 1 BC in UTC
        ("a", "9999-12-31T23:59"),
        ("a", "31/12/1999 23:59"),
        ("a", "01/01/2101 00:00"),
        ("a", "08/03/2026 02:30"),  # does not exist in New York (clocks go forward)
    ],
)
def test_session_start_outside_the_range_is_a_field_error(world, site_name, typed):
    side = getattr(world, site_name)
    who = "admin" if site_name == "a" else "outsider"
    url = reverse("session-create", args=[side.site.slug])
    response = world.client(who).post(url, session_data(starts_at=typed))
    assert "starts_at" in form_errors(response)
    assert not Session.objects.filter(title="Boundary class").exists()


@pytest.mark.parametrize("typed", ["01/01/2000 00:00", "31/12/2100 23:59"])
def test_session_start_at_both_ends_of_the_range_is_saved(world, typed):
    url = reverse("session-create", args=[world.a.site.slug])
    response = world.client("admin").post(url, session_data(starts_at=typed))
    assert response.status_code == 302, form_errors(response)
    starts_at = Session.objects.get(title="Boundary class").starts_at
    assert starts_at.astimezone(world.a.site.tzinfo).strftime("%d/%m/%Y %H:%M") == typed


def test_the_ops_admin_refuses_a_start_outside_the_range_in_the_sites_time_zone(world):
    ops = get_user_model().objects.create_superuser("ops-bounds", "ops@example.com", "x")
    client = Client()
    client.force_login(ops)
    url = reverse("admin:sites_session_change", args=[world.a.live.pk])
    # 2101-01-01 03:00 UTC is still 31/12/2100 in UTC but 2101 nowhere west of it; in New York
    # it is 22:00 on 31/12/2100: in range. 2101-01-01 06:00 UTC is 01/01/2101 in New York.
    data = {
        "site": world.a.site.pk,
        "title": "Onboarding class",
        "service": "training",
        "kind": "live_training",
        "program": "",
        "starts_at_0": "2101-01-01",
        "starts_at_1": "06:00:00",
        "fee": "40.00",
        "organizer": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    data["starts_at_1"] = "03:00:00"
    assert client.post(url, data).status_code == 302
    data.update(starts_at_0="9999-12-31", starts_at_1="23:59:59")
    assert "starts_at" in client.post(url, data).context["adminform"].form.errors


def test_the_model_refuses_a_start_outside_the_range(world):
    from django.core.exceptions import ValidationError

    session = world.a.live
    session.starts_at = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as raised:
        session.full_clean()
    assert list(raised.value.message_dict) == ["starts_at"]
    code = world.a.code
    code.expires_on = date(1, 1, 1)
    with pytest.raises(ValidationError) as raised:
        code.full_clean()
    assert "expires_on" in raised.value.message_dict


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Session, "starts_at", datetime(2101, 1, 2, tzinfo=UTC)),
        (Session, "starts_at", datetime(1999, 12, 30, tzinfo=UTC)),
        (PromoCode, "expires_on", date(2101, 1, 1)),
        (PromoCode, "expires_on", date(1999, 12, 31)),
    ],
)
def test_the_database_refuses_what_no_form_would_take(world, model, field, value):
    row = world.a.live if model is Session else world.a.code
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/0001", "31/12/1999", "01/01/2101"])
def test_promo_code_expiry_outside_the_range_is_a_field_error(world, typed):
    url = reverse("promocode-create", args=[world.a.site.slug, "events"])
    response = world.client("admin").post(url, create_data(expires_on=typed))
    assert "expires_on" in form_errors(response)


def test_extending_codes_beyond_the_range_is_refused(world):
    url = reverse("promocode-action", args=[world.a.site.slug, "events"])
    response = world.client("admin").post(
        url,
        {"action": "extend", "ids": [world.a.code.pk], "until": "31/12/9999", "filters": ""},
        follow=True,
    )
    assert any("2100" in m for m in messages_of(response))
    world.a.code.refresh_from_db()
    assert world.a.code.expires_on.year < 2100


def test_the_api_answers_out_of_range_dates_with_errors(world):
    api = api_of(world)
    base = f"/api/v1/sites/{world.a.site.slug}/"
    created = api.post(
        base + "sessions/",
        session_data(starts_at="9999-12-31T23:59:00-08:00"),
    )
    assert created.status_code == 422
    assert "starts_at" in created.json()["error"]["fields"]
    codes = api.post(
        base + "promo-codes/",
        {
            "service": "events",
            "discount_type": "percent",
            "discount_value": "10",
            "expires_on": "9999-12-31",
        },
    )
    assert codes.status_code == 422
    for path in (
        "promo-codes/?service=events&created_to=9999-12-31",
        "transactions/?date_to=9999-12-31",
    ):
        assert api.get(base + path).status_code == 400, path


# --- 12.4: one parsing layer for what reaches the reports -------------------------------------


@pytest.mark.parametrize("who", ["admin", "organizer"])
@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("promocode-report", "service=events&created_to=31/12/9999", "created_to"),
        ("promocode-report", "service=events&created_from=01/01/0001", "created_from"),
        ("promocode-report", "service=events&expires_to=31/12/9999", "expires_to"),
        ("promocode-report", f"service=events&batch={HUGE}", "batch"),
        ("transactions", "date_to=31/12/9999", "date_to"),
        ("transactions", "date_from=01/01/0001", "date_from"),
        ("transactions", f"session={HUGE}", "session"),
    ],
)
def test_report_parameters_out_of_range_are_field_errors(world, who, name, query, field):
    args = [world.a.site.slug, "events"] if name.startswith("promocode") else [world.a.site.slug]
    client = world.client(who)
    response = client.get(reverse(name, args=args) + "?" + query)
    assert field in form_errors(response)
    csv_name = "promocode-csv" if name.startswith("promocode") else "transactions-csv"
    export = client.get(reverse(csv_name, args=args) + "?" + query)
    assert export.status_code == 302  # back to the report, which shows the error


@pytest.mark.parametrize(
    "cursor",
    [
        f"1-{HUGE}",
        f"{HUGE}-1",
        f"{HUGE}-{HUGE}",
        f"-{HUGE}-1",
        "1777000000000000-0",
        "١٢٣-٤",  # non-ASCII digits, which int() would take
        "abc",
        "-",
    ],
)
def test_report_cursors_out_of_range_show_the_first_page(world, cursor):
    url = reverse("promocode-report", args=[world.a.site.slug, "events"])
    for name in ("after", "before"):
        response = world.client("organizer").get(url, {"service": "events", name: cursor})
        assert response.status_code == 200
        assert [row["code"] for row in response.context["rows"]] == [world.a.code]


def test_keyset_cursors_read_back_what_they_wrote_and_nothing_else():
    moment = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert inputs.decode_cursor(inputs.encode_cursor(moment, 42)) == (moment, 42)
    assert inputs.decode_cursor(inputs.encode_cursor(dates.FIRST_MOMENT, 1)) is not None
    assert inputs.decode_cursor(inputs.encode_cursor(dates.END_MOMENT, 1)) is None
    assert inputs.decode_cursor(inputs.encode_cursor(moment, inputs.MAX_ID + 1)) is None


@pytest.mark.parametrize("ids", [[HUGE], ["abc"], ["-1"], ["0"], [HUGE, "x", "١"]])
def test_bulk_actions_ignore_ids_no_table_holds(world, ids):
    admin = world.client("admin")
    promo = admin.post(
        reverse("promocode-action", args=[world.a.site.slug, "events"]),
        {"action": "delete", "scope": "selected", "ids": ids, "filters": "service=events"},
        follow=True,
    )
    assert "Select at least one promo code." in messages_of(promo)
    payments = admin.post(
        reverse("transactions-delete-test", args=[world.a.site.slug]),
        {"scope": "selected", "ids": ids, "filters": "scope=test"},
        follow=True,
    )
    assert "Select at least one test payment." in messages_of(payments)
    world.a.code.refresh_from_db()
    assert world.a.code.status == "active"
    assert type(world.a.payment).objects.filter(pk=world.a.payment.pk).exists()


def test_a_valid_id_among_bad_ones_is_still_acted_on(world):
    response = world.client("admin").post(
        reverse("promocode-action", args=[world.a.site.slug, "events"]),
        {"action": "delete", "ids": [HUGE, str(world.a.code.pk), "abc"], "filters": ""},
    )
    assert response.status_code == 302
    world.a.code.refresh_from_db()
    assert world.a.code.status == "deleted"


@pytest.mark.parametrize("retry", ["abc", HUGE, "-1", "1.5", "\x00"])
def test_refund_retry_that_names_no_refund_is_not_found(world, retry):
    url = reverse("transaction-refund", args=[world.a.site.slug, world.a.payment.pk])
    assert world.client("admin").post(url, {"retry": retry}).status_code == 404


def test_the_api_refuses_ids_no_table_holds(world):
    api = api_of(world)
    base = f"/api/v1/sites/{world.a.site.slug}/"
    assert api.post(base + "promo-codes/delete/", {"ids": [int(HUGE)]}).status_code == 400
    assert api.get(base + f"transactions/?session={HUGE}").status_code == 400
    assert api.get(base + f"promo-codes/?service=events&after=1-{HUGE}").status_code == 400
    assert api.get(base + f"promo-codes/?service=events&batch={HUGE}").status_code == 400


def test_the_site_picker_flag_takes_plain_words_only(world):
    picker = reverse("site-picker")
    assert world.client("admin").get(picker).status_code == 302  # one site: straight in
    assert world.client("admin").get(picker, {"all": "1"}).status_code == 200
    assert world.client("admin").get(picker, {"all": "0"}).status_code == 302


# --- 12.5: form limits are column limits; no control character gets in -----------------------


def test_a_typed_email_longer_than_the_column_is_a_field_error(world):
    url = reverse("promocode-create", args=[world.a.site.slug, "events"])
    response = world.client("admin").post(url, create_data(recipient_email=LONG_EMAIL))
    assert "recipient_email" in form_errors(response)
    assert not PromoCode.objects.filter(recipient_email=LONG_EMAIL).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"ok@example.com,Ok\n{LONG_EMAIL},Long", "Line 2: the email address is longer than 254"),
        ("ok@example.com,Ok\npat@example.com,Pa\x00t", "Line 2: remove the invisible control"),
        ("pat@example.com,\x1b[31mred", "Line 1: remove the invisible control"),
        ("a@example.com\x0bb@example.com\nc@example.com,\x07", "Line 1: remove"),
        ("a@example.com\nb@example.com\x0cc\nc@example.com,\x07", "Line 3: remove"),
    ],
)
def test_an_uploaded_bad_recipient_is_refused_with_its_line_number(world, content, message):
    url = reverse("promocode-create", args=[world.a.site.slug, "events"])
    upload = SimpleUploadedFile("r.csv", content.encode(), content_type="text/csv")
    response = world.client("admin").post(url, create_data(recipients_file=upload))
    errors = " ".join(form_errors(response)["recipients_file"])
    assert message in errors
    assert PromoCode.objects.count() == 2  # the two sites' own codes


@pytest.mark.parametrize(
    "text", ["Bad\x00title", "Bell\x07", "\x1b[31mRed", "Tab\tinside", "Ne\x85l"]
)
def test_typed_control_characters_are_field_errors(world, text):
    url = reverse("session-create", args=[world.a.site.slug])
    response = world.client("admin").post(url, session_data(title=text))
    errors = form_errors(response)["title"]
    assert errors == ["Remove the invisible control characters (such as NUL) from this text."]


def test_line_breaks_stay_allowed_in_multi_line_text(world):
    from payments.forms.settings import PaymentPageForm

    form = PaymentPageForm({"header_text": "Line one\r\nLine two\tend", "footer_text": "\x00"})
    assert not form.is_valid()
    assert list(form.errors) == ["footer_text"]


def test_the_ops_admin_refuses_control_characters(world):
    ops = get_user_model().objects.create_superuser("ops-cc", "ops@example.com", "x")
    client = Client()
    client.force_login(ops)
    url = reverse("admin:sites_site_change", args=[world.a.site.pk])
    data = {
        "slug": world.a.site.slug,
        "name": "Acme\x1b",
        "time_zone": world.a.site.time_zone,
        "language": "en",
        "currency": "USD",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors


@pytest.mark.parametrize("ticked", [["abc"], [HUGE], ["\x00"], ["1\x00", "-1"]])
def test_ops_admin_actions_ignore_rows_no_table_holds(world, ticked):
    ops = get_user_model().objects.create_superuser("ops-actions", "ops@example.com", "x")
    client = Client()
    client.force_login(ops)
    url = reverse("admin:sites_site_changelist")
    response = client.post(
        url,
        {"action": "provision_ecommerce", "_selected_action": ticked, "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("Items must be selected" in m for m in messages_of(response))
    mixed = client.post(
        url,
        {
            "action": "unprovision_ecommerce",
            "_selected_action": ["abc", str(world.a.site.pk), HUGE],
            "index": "0",
        },
    )
    assert mixed.status_code == 302
    world.a.site.refresh_from_db()
    assert world.a.site.ecommerce_provisioned is False

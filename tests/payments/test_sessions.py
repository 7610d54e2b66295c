"""Priced sessions: list with registration links, create, edit, roles, isolation, revisions."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from payments.models import CommerceSettings
from sites.models import Revision, Session

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def list_url(site):
    return reverse("session-list", args=[site.slug])


def create_url(site):
    return reverse("session-create", args=[site.slug])


def edit_url(site, session):
    return reverse("session-edit", args=[site.slug, session.pk])


def valid(**overrides):
    data = {
        "title": "Advanced Webex",
        "service": "training",
        "kind": "live_training",
        "program": "Onboarding",
        "starts_at": "24/12/2030 09:30",
        "fee": "49.90",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_session(site):
    def make(**fields):
        fields.setdefault("title", "Kick-off")
        fields.setdefault("service", "events")
        fields.setdefault("kind", "live_event")
        fields.setdefault("fee", Decimal("25.00"))
        fields.setdefault("starts_at", datetime(2030, 3, 1, 15, 0, tzinfo=NEW_YORK))
        return Session.objects.create(site=fields.pop("site", site), **fields)

    return make


def pay_path(site, session):
    try:
        return reverse("payment-page", args=[site.slug, session.pk])
    except NoReverseMatch:
        return None


# --- list -------------------------------------------------------------------------------------


def test_list_shows_start_in_site_time_zone_fee_with_symbol_and_registration_link(
    organizer_client, site, make_session
):
    session = make_session(title="Kick-off", fee=Decimal("1234.50"), program="Launch")
    free = make_session(title="Free recording", kind="event_recording", fee=0, starts_at=None)
    body = organizer_client.get(list_url(site)).content.decode()
    assert "Kick-off" in body and "Launch" in body
    assert "01/03/2030 15:00" in body  # New York time, not UTC (20:00)
    assert "$1,234.50" in body
    assert "Free recording" in body and "Free — no payment page" in body
    path = pay_path(site, session)
    if path:
        assert f"http://testserver{path}" in body
        assert pay_path(site, free) not in body


def test_list_filters_by_service(admin_client, site, make_session):
    make_session(title="An event")
    make_session(title="A course", service="training", kind="live_training")
    body = admin_client.get(list_url(site) + "?service=training").content.decode()
    assert "A course" in body and "An event" not in body


def test_list_warns_when_the_service_takes_no_payment(admin_client, site, make_session):
    make_session()
    body = admin_client.get(list_url(site)).content.decode()
    if pay_path(site, Session.objects.get()):
        assert "E-commerce is not enabled for Webex Events (classic)" in body
    CommerceSettings.objects.filter(site=site).update(events_enabled=True)
    body = admin_client.get(list_url(site)).content.decode()
    assert "E-commerce is not enabled" not in body


def test_list_never_shows_another_sites_sessions(admin_client, site, other_site, make_session):
    make_session(site=other_site, title="Globex secret")
    assert "Globex secret" not in admin_client.get(list_url(site)).content.decode()


def test_list_is_404_for_another_sites_member(outsider_client, site):
    assert outsider_client.get(list_url(site)).status_code == 404


def test_list_asks_anonymous_visitors_to_log_in(client, site):
    response = client.get(list_url(site))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unprovisioned_site_shows_the_notice_only(make_site, make_member):
    site = make_site("initech", ecommerce_provisioned=False)
    client = Client()
    client.force_login(make_member("ivan", site, "admin"))
    response = client.get(list_url(site))
    assert response.status_code == 200
    assert b"session-create" not in response.content
    assert response.templates[0].name == "sites/not_provisioned.html"


def test_list_query_count_does_not_grow_with_sessions(
    admin_client, site, make_session, django_assert_max_num_queries
):
    make_session()
    with django_assert_max_num_queries(12) as few:
        admin_client.get(list_url(site))
    for n in range(30):
        make_session(title=f"S{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(list_url(site))


# --- create -----------------------------------------------------------------------------------


def test_organizer_creates_a_live_session_in_the_site_time_zone(organizer_client, organizer, site):
    response = organizer_client.post(create_url(site), valid())
    assert response.status_code == 302
    session = Session.objects.for_site(site).get()
    assert session.title == "Advanced Webex"
    assert session.starts_at == datetime(2030, 12, 24, 9, 30, tzinfo=NEW_YORK)
    assert session.fee == Decimal("49.90")
    assert session.organizer == organizer
    assert session.program == "Onboarding"


def test_browser_datetime_local_value_is_accepted(admin_client, site):
    admin_client.post(create_url(site), valid(starts_at="2030-12-24T09:30"))
    assert Session.objects.get().starts_at == datetime(2030, 12, 24, 9, 30, tzinfo=NEW_YORK)


def test_french_decimal_comma_is_accepted_for_the_fee(admin_client, site):
    admin_client.post(create_url(site), valid(fee="12,50"), headers={"accept-language": "fr"})
    assert Session.objects.get().fee == Decimal("12.50")


def test_recording_needs_no_start_time_and_may_be_free(admin_client, site):
    response = admin_client.post(
        create_url(site), valid(kind="training_recording", starts_at="", fee="0", program="")
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at is None and session.is_free and session.program == ""


def test_create_writes_one_revision_naming_the_session(admin_client, admin, site):
    admin_client.post(create_url(site), valid())
    revision = Revision.objects.for_site(site).get()
    assert revision.actor == admin and revision.area == "sessions"
    assert "Advanced Webex" in revision.summary and "created" in revision.summary
    changes = {c["field"]: c for c in revision.changes}
    assert changes["starts_at"]["new"] == "24/12/2030 09:30"
    assert changes["fee"]["new"] == "49.90"
    assert changes["kind"]["new"] == "live_training"
    assert changes["kind"]["choices"] == {"live_training": "Live training session"}


def test_admin_form_offers_the_admin_as_organizer_by_default(admin_client, admin, site):
    form = admin_client.get(create_url(site)).context["form"]
    assert form["organizer"].value() == admin.pk


def test_admin_may_choose_another_member_as_organizer(admin_client, site, organizer):
    admin_client.post(create_url(site), valid(organizer=organizer.pk))
    assert Session.objects.get().organizer == organizer


def test_admin_cannot_choose_someone_outside_the_site(admin_client, site, outsider):
    response = admin_client.post(create_url(site), valid(organizer=outsider.pk))
    assert response.status_code == 200
    assert "organizer" in response.context["form"].errors
    assert not Session.objects.exists()


def test_organizer_form_has_no_organizer_field(organizer_client, site):
    form = organizer_client.get(create_url(site)).context["form"]
    assert "organizer" not in form.fields


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"service": "meetings"}, "service"),
        ({"kind": "live_event"}, "kind"),  # an Events kind for a Training session
        ({"kind": "nonsense"}, "kind"),
        ({"starts_at": ""}, "starts_at"),  # live kinds need a start
        ({"starts_at": "31/02/2030 10:00"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "10/03/2030 02:30"}, "starts_at"),  # skipped by New York's DST
        ({"fee": "-1"}, "fee"),
        ({"fee": "abc"}, "fee"),
        ({"fee": "1.234"}, "fee"),
        ({"fee": "100000000.00"}, "fee"),
        ({"fee": ""}, "fee"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_gives_field_errors_and_creates_nothing(admin_client, site, overrides, field):
    response = admin_client.post(create_url(site), valid(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert len(errors[field]) == 1
    assert not Session.objects.exists()
    assert not Revision.objects.exists()


def test_create_needs_the_csrf_token(organizer, site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    assert client.post(create_url(site), valid()).status_code == 403
    assert not Session.objects.exists()


def test_create_is_404_for_another_sites_member(outsider_client, site):
    assert outsider_client.post(create_url(site), valid()).status_code == 404
    assert not Session.objects.exists()


def test_create_asks_anonymous_visitors_to_log_in(client, site):
    assert client.post(create_url(site), valid()).status_code == 302
    assert not Session.objects.exists()


# --- edit -------------------------------------------------------------------------------------


def test_edit_form_shows_the_start_in_the_site_time_zone(admin_client, site, make_session):
    session = make_session()
    body = admin_client.get(edit_url(site, session)).content.decode()
    assert 'value="01/03/2030 15:00"' in body


def test_edit_saves_and_records_old_and_new_values(admin_client, site, make_session):
    session = make_session(fee=Decimal("25.00"))
    data = valid(service="events", kind="live_event", fee="30", starts_at="01/03/2030 15:00")
    data["title"] = "Kick-off"
    data["program"] = ""
    response = admin_client.post(edit_url(site, session), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.fee == Decimal("30.00")
    revision = Revision.objects.for_site(site).get()
    assert "updated" in revision.summary
    assert revision.changes == [{"field": "fee", "label": "fee", "old": "25.00", "new": "30.00"}]


def test_an_edit_without_change_writes_no_revision(admin_client, site, make_session):
    session = make_session(program="")
    data = valid(
        title="Kick-off",
        service="events",
        kind="live_event",
        program="",
        starts_at="01/03/2030 15:00",
        fee="25.00",
    )
    admin_client.post(edit_url(site, session), data)
    assert not Revision.objects.exists()


def test_organizer_edits_own_session_but_not_anothers(
    organizer_client, organizer, admin, site, make_session
):
    own = make_session(organizer=organizer)
    other = make_session(organizer=admin, title="Admin's")
    assert organizer_client.get(edit_url(site, own)).status_code == 200
    assert organizer_client.get(edit_url(site, other)).status_code == 403
    assert organizer_client.post(edit_url(site, other), valid()).status_code == 403
    other.refresh_from_db()
    assert other.title == "Admin's"


def test_edit_of_another_sites_session_is_404(admin_client, other_site, site, make_session):
    foreign = make_session(site=other_site)
    assert admin_client.get(edit_url(site, foreign)).status_code == 404
    assert admin_client.post(edit_url(site, foreign), valid()).status_code == 404


def test_edit_is_404_for_another_sites_member(outsider_client, site, make_session):
    session = make_session()
    assert outsider_client.get(edit_url(site, session)).status_code == 404


def test_edit_needs_the_csrf_token(admin, site, make_session):
    session = make_session()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(edit_url(site, session), valid()).status_code == 403


def test_edit_with_bad_input_keeps_the_session(admin_client, site, make_session):
    session = make_session()
    response = admin_client.post(edit_url(site, session), valid(fee="-5"))
    assert response.status_code == 200 and "fee" in response.context["form"].errors
    session.refresh_from_db()
    assert session.fee == Decimal("25.00")

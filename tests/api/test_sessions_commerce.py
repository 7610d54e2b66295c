"""Sessions (list, create, update through the console's form and History) and the read-only
commerce settings."""

from __future__ import annotations

import pytest

from sites.models import Revision, Session
from tests.api.conftest import api_url
from tests.factories import open_payflow_shop

pytestmark = pytest.mark.django_db

NEW = {"title": "Masterclass", "service": "training", "kind": "live_training", "fee": "40.00"}


def test_create_list_and_update_a_session(site, writer, admin):
    response = writer.post(api_url(site, "sessions/"), dict(NEW, starts_at="2031-05-01T09:30"))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["organizer"] == admin.username
    # A start time without an offset is in the site's time zone (New York, UTC−4 in May).
    assert created["starts_at"].startswith("2031-05-01T13:30")
    session = Session.objects.get(pk=created["id"])
    response = writer.patch(api_url(site, f"sessions/{session.pk}/"), {"fee": "55.50"})
    assert response.status_code == 200, response.json()
    assert response.json()["fee"] == "55.50" and response.json()["title"] == "Masterclass"
    revisions = Revision.objects.filter(site=site, area="sessions", actor=admin)
    assert revisions.count() == 2
    assert any(c["field"] == "fee" and c["new"] == "55.50" for c in revisions[0].changes)
    listing = writer.get(api_url(site, "sessions/?service=training")).json()
    assert [s["id"] for s in listing["results"]] == [session.pk]
    assert writer.get(api_url(site, "sessions/?service=events")).json()["results"] == []
    assert writer.get(api_url(site, f"sessions/{session.pk}/")).json()["fee"] == "55.50"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "live_event"}, "kind"),
        ({"starts_at": None}, "starts_at"),
        ({"fee": "-1"}, "fee"),
        ({"organizer": "nobody"}, "organizer"),
    ],
)
def test_invalid_session_is_422_with_the_forms_error(site, writer, changes, field):
    response = writer.post(api_url(site, "sessions/"), dict(NEW, **changes))
    assert response.status_code == 422, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Session.objects.exists()


def test_update_of_an_unknown_session_is_404(site, writer):
    response = writer.patch(api_url(site, "sessions/999999/"), {"fee": "1"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_commerce_settings_are_readable_and_hold_no_secret(site, reader):
    open_payflow_shop(site)
    response = reader.get(api_url(site, "commerce/"))
    assert response.status_code == 200
    data = response.json()
    assert data["mode"] == "test"
    assert data["enabled_services"] == ["events", "training"]
    assert data["provider"] == "payflow_pro"
    assert data["currency"] == "USD" and data["country"] == "US"
    assert isinstance(data["readiness_reasons"], list)
    assert "pilot-pass-1" not in response.content.decode()


def test_commerce_settings_of_a_fresh_site_say_why_it_is_not_ready(site, reader):
    data = reader.get(api_url(site, "commerce/")).json()
    assert data["provider"] is None and data["production_ready"] is False
    assert data["readiness_reasons"]

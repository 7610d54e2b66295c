"""Promo codes through the API: the report's filters and cursor pages, Create (single,
generated, recipients, large → batch with progress), extend and delete by ids or filter, CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from promocodes.models import CreationBatch, PromoCode
from sites.models import Revision, Session
from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db

FUTURE = (date.today() + timedelta(days=60)).isoformat()


def make_codes(site, count, **fields):
    from decimal import Decimal

    fields.setdefault("service", "events")
    fields.setdefault("discount_type", "percent")
    fields.setdefault("discount_value", Decimal("10"))
    fields.setdefault("expires_on", date.today() + timedelta(days=30))
    return [
        PromoCode.objects.create(site=site, code=f"CODE{i:05d}", **fields) for i in range(count)
    ]


def create_body(**changes):
    body = {
        "service": "events",
        "quantity": 3,
        "discount_type": "percent",
        "discount_value": "15",
        "expires_on": FUTURE,
    }
    body.update(changes)
    return body


def test_list_pages_through_every_code_with_cursors(site, writer):
    make_codes(site, 120)
    seen, url = [], api_url(site, "promo-codes/?service=events")
    while url:
        response = writer.get(url)
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 120 and not data["count_is_lower_bound"]
        seen += [row["code"] for row in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == 120
    # The last page links back to the one before it.
    assert data["previous"]
    back = writer.get(data["previous"]).json()
    assert len(back["results"]) == 50


def test_list_filters_like_the_report(site, writer):
    make_codes(site, 3)
    PromoCode.objects.filter(code="CODE00001").update(status="deleted")
    PromoCode.objects.filter(code="CODE00002").update(recipient_email="pat@example.com")
    data = writer.get(api_url(site, "promo-codes/?service=events&status=deleted")).json()
    assert [r["code"] for r in data["results"]] == ["CODE00001"]
    data = writer.get(api_url(site, "promo-codes/?service=events&contains=PAT@")).json()
    assert [r["code"] for r in data["results"]] == ["CODE00002"]
    assert writer.get(api_url(site, "promo-codes/?service=training")).json()["count"] == 0


def test_bad_filters_and_cursors_are_400_with_field_errors(site, writer):
    response = writer.get(api_url(site, "promo-codes/"))
    assert response.status_code == 400
    assert "service" in response.json()["error"]["fields"]
    response = writer.get(
        api_url(site, "promo-codes/?service=events&created_from=2025-02-10&created_to=2025-02-01")
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["created_to"]
    response = writer.get(api_url(site, "promo-codes/?service=events&after=garbage"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"after": ["Invalid cursor."]}


def test_retrieve_one_code(site, writer):
    code = make_codes(site, 1)[0]
    response = writer.get(api_url(site, f"promo-codes/{code.pk}/"))
    assert response.status_code == 200
    assert response.json()["code"] == "CODE00000"
    assert response.json()["discount_value"] == "10.00"


def test_create_a_single_code_records_history(site, writer, admin):
    response = writer.post(api_url(site, "promo-codes/"), create_body(code="SPRING25"))
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert (batch["state"], batch["total"], batch["done"]) == ("done", 1, 1)
    assert response["Location"] == batch["progress_url"]
    assert PromoCode.objects.get(site=site).code == "SPRING25"
    revision = Revision.objects.get(site=site, area="promocodes.create")
    assert revision.actor == admin


def test_a_taken_code_is_a_conflict(site, writer):
    writer.post(api_url(site, "promo-codes/"), create_body(code="SPRING25"))
    response = writer.post(api_url(site, "promo-codes/"), create_body(code="spring25"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "code_taken"
    assert "code" in response.json()["error"]["fields"]


def test_create_generated_codes_for_chosen_sessions(site, writer):
    session = Session.objects.create(
        site=site, title="Keynote", service="events", kind="event_recording", fee=10
    )
    response = writer.post(
        api_url(site, "promo-codes/"),
        create_body(quantity=5, code_length=10, applies_to="sessions", session_ids=[session.pk]),
    )
    assert response.status_code == 201
    codes = PromoCode.objects.filter(site=site)
    assert codes.count() == 5 and all(len(c.code) == 10 for c in codes)
    listed = writer.get(response.json()["codes_url"]).json()["results"]
    assert {tuple(r["session_ids"]) for r in listed} == {(session.pk,)}


def test_create_for_recipients_emails_each_their_code(
    site, writer, eager_celery, django_capture_on_commit_callbacks
):
    recipients = [{"email": f"r{i}@example.com", "name": f"R {i}"} for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.post(
            api_url(site, "promo-codes/"), create_body(quantity=None, recipients=recipients)
        )
    assert response.status_code == 201, response.json()
    codes = {c.recipient_email: c.code for c in PromoCode.objects.filter(site=site)}
    assert set(codes) == {r["email"] for r in recipients}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(codes)
    for message in mail.outbox:
        assert codes[message.to[0]] in message.body


def test_large_creation_answers_202_with_the_batch_and_its_progress(site, writer, monkeypatch):
    from promocodes import tasks

    queued = []
    monkeypatch.setattr(tasks.generate_batch, "delay", lambda batch_id: queued.append(batch_id))
    recipients = [{"email": f"p{i}@example.com"} for i in range(600)]
    response = writer.post(
        api_url(site, "promo-codes/"), create_body(quantity=None, recipients=recipients)
    )
    assert response.status_code == 202
    batch = response.json()
    assert (batch["state"], batch["total"], batch["done"]) == ("pending", 600, 0)
    assert queued == [batch["id"]]
    progress = writer.get(batch["progress_url"]).json()
    assert progress["percent"] == 0 and not progress["finished"]
    tasks.generate_batch.run(batch["id"])  # what the worker does (its e-mails: another test)
    progress = writer.get(batch["progress_url"]).json()
    assert (progress["state"], progress["done"], progress["percent"]) == ("done", 600, 100)
    listing = writer.get(api_url(site, "promo-code-batches/")).json()
    assert [b["id"] for b in listing["results"]] == [batch["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"discount_value": "150"}, "discount_value"),
        ({"expires_on": "2001-01-01"}, "expires_on"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"code_length": 4}, "code_length"),
        ({"applies_to": "kind"}, "kind"),
        ({"applies_to": "sessions"}, "session_ids"),
        ({"recipients": [{"email": "not-an-address"}], "quantity": None}, "recipients"),
        ({"code": "a b"}, "code"),
        ({"max_uses": 0}, "max_uses"),
    ],
)
def test_invalid_creation_is_422_with_the_consoles_field_error(site, writer, changes, field):
    response = writer.post(api_url(site, "promo-codes/"), create_body(**changes))
    assert response.status_code == 422, response.json()
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert not CreationBatch.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"service": "events"},
        create_body(quantity="many"),
        create_body(expires_on="31/12"),
        create_body(session_ids="all"),
    ],
)
def test_malformed_creation_is_400(site, writer, body):
    response = writer.post(api_url(site, "promo-codes/"), body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_not_json_is_400(site, writer):
    response = writer.post(api_url(site, "promo-codes/"), "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_extend_by_ids_and_by_filter(site, writer, admin):
    codes = make_codes(site, 4)
    PromoCode.objects.filter(pk=codes[0].pk).update(status="expired")
    PromoCode.objects.filter(pk=codes[1].pk).update(status="deleted")
    response = writer.post(
        api_url(site, "promo-codes/extend/"),
        {"ids": [codes[0].pk, codes[1].pk], "until": FUTURE},
    )
    assert response.status_code == 200
    assert response.json() == {"extended": 1, "reactivated": 1, "skipped_deleted": 1}
    response = writer.post(
        api_url(site, "promo-codes/extend/"),
        {"filter": {"service": "events", "status": "active"}, "until": FUTURE},
    )
    assert response.json()["extended"] == 3
    assert PromoCode.objects.filter(expires_on=FUTURE).count() == 3
    assert Revision.objects.filter(site=site, area="promocodes.extend", actor=admin).count() == 2


def test_extend_into_the_past_or_without_selection_is_refused(site, writer):
    codes = make_codes(site, 1)
    past = writer.post(
        api_url(site, "promo-codes/extend/"), {"ids": [codes[0].pk], "until": "2001-01-01"}
    )
    assert past.status_code == 422 and "until" in past.json()["error"]["fields"]
    nothing = writer.post(api_url(site, "promo-codes/extend/"), {"until": FUTURE})
    assert nothing.status_code == 400
    bad_filter = writer.post(
        api_url(site, "promo-codes/extend/"),
        {"filter": {"service": "events", "status": "nope"}, "until": FUTURE},
    )
    assert bad_filter.status_code == 422
    assert "filter.status" in bad_filter.json()["error"]["fields"]


def test_delete_by_filter_in_one_request(site, writer):
    make_codes(site, 5)
    response = writer.post(
        api_url(site, "promo-codes/delete/"), {"filter": {"service": "events", "contains": "0000"}}
    )
    assert response.status_code == 200
    assert response.json() == {"deleted": 5}
    assert set(PromoCode.objects.values_list("status", flat=True)) == {"deleted"}
    assert Revision.objects.filter(site=site, area="promocodes.delete").exists()


def test_csv_export_streams_the_filtered_report(site, writer):
    make_codes(site, 3)
    response = writer.get(
        api_url(site, "promo-codes/export.csv?service=events"), HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and "CODE00002" in "\n".join(lines)

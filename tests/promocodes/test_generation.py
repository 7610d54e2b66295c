"""Generation: set-based, collision-proof, resumable; the admin for ops."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from promocodes import codegen, creation, tasks
from promocodes.models import CreationBatch, PromoCode

pytestmark = pytest.mark.django_db


def params(**changes):
    base = {
        "service": "events",
        "code_length": 6,
        "quantity": 10,
        "custom_code": "",
        "recipients": [],
        "max_uses": 1,
        "discount_type": "percent",
        "discount_value": "10",
        "expires_on": (date.today() + timedelta(days=10)).isoformat(),
        "applies_to": "all",
        "kind": "",
        "session_ids": [],
    }
    base.update(changes)
    return base


def new_batch(site, **changes):
    p = params(**changes)
    return CreationBatch.objects.create(site=site, service="events", total=p["quantity"], params=p)


def test_generated_codes_that_collide_are_drawn_again(site, make_code, monkeypatch):
    make_code(site, "AAAAAA")
    make_code(site, "cccccc")  # taken whatever the case
    draws = iter([["AAAAAA", "CCCCCC", "EEEEEE"], ["FFFFFF", "GGGGGG"]])
    monkeypatch.setattr(codegen, "generate", lambda length, count: next(draws)[:count])
    batch = new_batch(site, quantity=3)
    creation.generate_batch_codes(batch)
    created = set(PromoCode.objects.filter(batch=batch).values_list("code", flat=True))
    assert created == {"EEEEEE", "FFFFFF", "GGGGGG"}


def test_exhausted_code_space_fails_the_batch_without_a_crash(site, make_code, monkeypatch):
    make_code(site, "AAAAAA")
    monkeypatch.setattr(codegen, "generate", lambda length, count: ["AAAAAA"] * count)
    batch = new_batch(site, quantity=1)
    assert tasks.generate_batch.run(batch.pk) == 0
    batch.refresh_from_db()
    assert batch.state == "failed" and "longer code length" in batch.error


def test_a_crashed_generation_resumes_where_it_stopped(site, monkeypatch):
    batch = new_batch(site, quantity=25)
    original = creation._insert_generated_codes
    calls = {"n": 0}

    def crash_on_third(batch_, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker died")
        return original(batch_, chunk)

    monkeypatch.setattr(creation, "_insert_generated_codes", crash_on_third)
    with pytest.raises(RuntimeError):
        creation.generate_batch_codes(batch, chunk_size=10)
    batch.refresh_from_db()
    assert batch.done == 20 and PromoCode.objects.filter(batch=batch).count() == 20
    monkeypatch.setattr(creation, "_insert_generated_codes", original)
    creation.generate_batch_codes(batch, chunk_size=10)
    batch.refresh_from_db()
    assert (batch.state, batch.done) == ("done", 25)
    assert PromoCode.objects.filter(batch=batch).count() == 25
    # Running a finished batch again changes nothing.
    creation.generate_batch_codes(batch, chunk_size=10)
    assert PromoCode.objects.filter(batch=batch).count() == 25


def test_generation_inserts_set_based(site):
    """The same statements for 30 codes as for 3,000: no per-code query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for quantity in (30, 3000):
        batch = new_batch(site, quantity=quantity)
        with CaptureQueriesContext(connection) as queries:
            creation.generate_batch_codes(batch)
        counts.append(len(queries))
        assert PromoCode.objects.filter(batch=batch).count() == quantity
    assert counts[0] == counts[1] <= 20


def test_batch_codes_are_found_by_their_time_window(site, make_code):
    from promocodes.selectors import codes_of_batch

    make_code(site, "OLDONE")
    batch = new_batch(site, quantity=5)
    creation.generate_batch_codes(batch)
    batch.refresh_from_db()
    assert set(codes_of_batch(batch)) == set(PromoCode.objects.filter(batch=batch))


# --- Admin for ops -------------------------------------------------------------------------


@pytest.fixture
def ops_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def test_admin_finds_codes_by_text_and_filters(ops_client, site, other_site, make_code):
    make_code(site, "FINDME1", status="expired")
    make_code(other_site, "OTHER77")
    url = reverse("admin:promocodes_promocode_changelist")
    response = ops_client.get(url, {"q": "findme"})
    assert response.status_code == 200
    assert b"FINDME1" in response.content and b"OTHER77" not in response.content
    filtered = ops_client.get(url, {"status__exact": "expired", "site__id__exact": site.pk})
    assert b"FINDME1" in filtered.content
    assert ops_client.get(url, {"service__exact": "training"}).status_code == 200


def test_admin_shows_usage_read_only(ops_client, site, make_code):
    code = make_code(site, "USAGE1", uses=1, max_uses=3)
    url = reverse("admin:promocodes_promocode_change", args=[code.pk])
    response = ops_client.get(url)
    assert response.status_code == 200
    assert b'name="uses"' not in response.content
    assert b'name="max_uses"' in response.content


# --- The site of a code, checked once per statement ------------------------------------------


def test_a_code_of_a_site_that_does_not_exist_is_refused(site):
    from django.db import IntegrityError, connection, transaction

    missing = site.pk + 1000
    for statement, params in [
        (
            "INSERT INTO promocodes_promocode (site_id, service, code, recipient_name, "
            "recipient_email, max_uses, uses, discount_type, discount_value, expires_on, status, "
            "applies_to, kind, created_at) VALUES (%s, 'events', 'NOSITE', '', '', 1, 0, "
            "'percent', 10, current_date, 'active', 'all', '', now())",
            [missing],
        ),
        ("UPDATE promocodes_promocode SET site_id = %s WHERE code = 'MOVED'", [missing]),
    ]:
        PromoCode.objects.create(
            site=site,
            code="MOVED",
            service="events",
            discount_type="percent",
            discount_value=10,
            expires_on=date.today(),
        )
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
        PromoCode.objects.filter(code="MOVED").delete()


def test_a_site_with_codes_is_deleted_with_them_never_without(site, other_site):
    from django.db import IntegrityError, connection, transaction

    creation.generate_batch_codes(new_batch(site, quantity=30))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sites_site WHERE id = %s", [site.pk])
    other_site.delete()
    site.delete()
    assert not PromoCode.objects.exists()

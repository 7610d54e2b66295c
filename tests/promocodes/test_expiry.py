"""Expiry: one set-based UPDATE at the end of the expiration day in each site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import translation

from promocodes import bulk, expiry, portable
from promocodes.models import PromoCode
from sites import history_display
from sites.models import Revision

pytestmark = pytest.mark.django_db

MARCH_10 = date(2026, 3, 10)


@pytest.fixture
def auckland(make_site):
    """UTC+13 in March: its days end 13 hours before UTC's."""
    return make_site("kiwi", name="Kiwi", time_zone="Pacific/Auckland")


@pytest.fixture
def honolulu(make_site):
    """UTC−10: its days end 10 hours after UTC's."""
    return make_site("aloha", name="Aloha", time_zone="Pacific/Honolulu")


def test_codes_expire_at_the_end_of_their_day_in_their_sites_zone(auckland, honolulu, make_code):
    kiwi = make_code(auckland, "KIWI1", expires_on=MARCH_10)
    aloha = make_code(honolulu, "ALOHA1", expires_on=MARCH_10)
    # 10:59 UTC on 10 March = 23:59 on 10 March in Auckland: nothing is due yet.
    assert expiry.expire_due_codes(datetime(2026, 3, 10, 10, 59, tzinfo=UTC)) == {}
    # 11:00 UTC = midnight in Auckland: its code is due; Honolulu is still on the 10th (01:00).
    counts = expiry.expire_due_codes(datetime(2026, 3, 10, 11, 0, tzinfo=UTC))
    assert counts == {auckland.pk: 1}
    kiwi.refresh_from_db()
    aloha.refresh_from_db()
    assert (kiwi.status, aloha.status) == ("expired", "active")
    # 10:00 UTC on 11 March = midnight in Honolulu.
    assert expiry.expire_due_codes(datetime(2026, 3, 11, 9, 59, tzinfo=UTC)) == {}
    assert expiry.expire_due_codes(datetime(2026, 3, 11, 10, 0, tzinfo=UTC)) == {honolulu.pk: 1}


def test_sweep_is_idempotent_and_records_how_many(auckland, make_code):
    for n in range(3):
        make_code(auckland, f"DUE{n}", expires_on=MARCH_10)
    make_code(auckland, "LATER", expires_on=date(2026, 3, 20))
    at = datetime(2026, 3, 12, tzinfo=UTC)
    assert expiry.expire_due_codes(at) == {auckland.pk: 3}
    assert expiry.expire_due_codes(at) == {}
    revision = Revision.objects.get(site=auckland, area="promocodes.expiry")
    assert "3 promotional codes expired" in revision.summary
    assert PromoCode.objects.filter(status="expired").count() == 3


def test_sweep_revision_reads_in_the_readers_language(auckland, make_code):
    """Label, status names and summary are rendered like every other revision's: in the
    language of whoever reads History, whatever language the sweep ran in."""
    for n in range(2):
        make_code(auckland, f"FR{n}", expires_on=MARCH_10)
    with translation.override("en"):
        expiry.expire_due_codes(datetime(2026, 3, 12, tzinfo=UTC))
    revision = Revision.objects.get(site=auckland, area="promocodes.expiry")
    with translation.override("fr"):
        shown = history_display.entry(revision, UTC)
    assert shown.summary == "2 codes promotionnels ont expiré."
    assert [(line.label, line.old, line.new) for line in shown.lines] == [
        ("Statut", "Actif", "Expiré")
    ]
    with translation.override("en"):
        shown = history_display.entry(revision, UTC)
    assert shown.summary == "2 promotional codes expired."
    assert [(line.label, line.old, line.new) for line in shown.lines] == [
        ("Status", "Active", "Expired")
    ]


def test_sweep_leaves_deleted_and_used_up_codes_alone(auckland, make_code):
    make_code(auckland, "GONE", expires_on=MARCH_10, status="deleted")
    make_code(auckland, "USED", expires_on=MARCH_10, status="used_up", uses=1)
    assert expiry.expire_due_codes(datetime(2026, 4, 1, tzinfo=UTC)) == {}
    assert set(PromoCode.objects.values_list("status", flat=True)) == {"deleted", "used_up"}


def test_sweep_is_one_update_whatever_the_number_of_sites(
    make_site, make_code, django_assert_max_num_queries
):
    for n, zone in enumerate(["Asia/Tokyo", "Europe/Paris", "America/Chicago", "UTC"]):
        site = make_site(f"zone{n}", time_zone=zone)
        for m in range(5):
            make_code(site, f"Z{n}C{m}", expires_on=MARCH_10)
    with django_assert_max_num_queries(4) as captured:
        counts = expiry.expire_due_codes(datetime(2026, 3, 20, tzinfo=UTC))
    assert sum(counts.values()) == 20 and len(counts) == 4
    updates = [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
    assert len(updates) == 1


def test_portable_sweep_gives_the_same_answer(auckland, honolulu, make_code):
    """The path used on SQLite (the demo) agrees with the PostgreSQL statement."""
    make_code(auckland, "KIWI2", expires_on=MARCH_10)
    make_code(honolulu, "ALOHA2", expires_on=MARCH_10)
    at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert portable.expire_due(at, (at + timedelta(hours=14)).date()) == {auckland.pk: 1}


def test_beat_runs_the_sweep_every_five_minutes_by_default():
    entry = settings.CELERY_BEAT_SCHEDULE["promocodes-expire"]
    assert entry["task"] == "promocodes.tasks.expire_due_codes"
    assert entry["schedule"] == 300


def test_expired_code_extended_is_not_expired_again_by_the_sweep(auckland, make_code):
    code = make_code(auckland, "BACK", expires_on=MARCH_10, status="expired")
    bulk.extend_expiry(
        auckland,
        PromoCode.objects.filter(pk=code.pk),
        date.today().replace(year=date.today().year + 1),
        None,
    )
    expiry.expire_due_codes()
    code.refresh_from_db()
    assert code.status == "active"

"""Promo code tasks run by a real Celery worker against Redis and the PostgreSQL test database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from promocodes.models import CreationBatch, PromoCode, PromoCodeEmail, PromoCodeSearch
from promocodes.tasks import expire_due_codes, send_batch_emails
from sites.models import Revision
from tests.celery_worker import sent_mail, task_outcome

from .conftest import start_celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_each_recipient_is_emailed_once_by_a_real_worker(
    admin_client, site, create_url, valid_create_data, tmp_path
):
    recipients = "ada@example.com,Ada\ngrace@example.com,Grace\nlin@example.com\n"
    data = dict(
        valid_create_data,
        recipients_file=SimpleUploadedFile("r.csv", recipients.encode()),
    )
    with start_celery_worker(tmp_path) as _worker:
        response = admin_client.post(create_url, data)
        assert response.status_code == 302
        wait_for(
            lambda: PromoCodeEmail.objects.filter(state="sent").count() == 3,
            message="e-mails not sent:\n" + (tmp_path / "worker.log").read_text()
            if (tmp_path / "worker.log").exists()
            else "",
        )
        # A duplicated dispatch (retry, double click, redelivery) sends nothing more.
        batch = CreationBatch.objects.get()
        assert task_outcome(tmp_path, send_batch_emails.delay(batch.pk)) == 0
        assert not PromoCodeEmail.objects.exclude(state="sent").exists()
    messages = sent_mail(tmp_path)
    assert sorted(m["To"] for m in messages) == [
        "ada@example.com",
        "grace@example.com",
        "lin@example.com",
    ]
    codes = dict(PromoCode.objects.values_list("recipient_email", "code"))
    for message in messages:
        assert codes[message["To"]] in message.get_payload(decode=True).decode()


def test_a_large_creation_runs_in_the_worker_with_progress(
    admin_client, site, create_url, valid_create_data, tmp_path
):
    from django.urls import reverse

    with start_celery_worker(tmp_path):
        response = admin_client.post(create_url, dict(valid_create_data, quantity="1200"))
        assert response.status_code == 302
        batch = CreationBatch.objects.get()
        progress = reverse("promocode-batch-progress", args=[site.slug, "events", batch.pk])
        wait_for(lambda: admin_client.get(progress).json()["finished"], timeout=60)
        # Right after, the worker copies the codes into the search table.
        wait_for(
            lambda: CreationBatch.objects.filter(pk=batch.pk, search_indexed=True).exists(),
            timeout=60,
        )
    data = admin_client.get(progress).json()
    assert data["state"] == "done" and data["done"] == data["total"] == 1200
    codes = PromoCode.objects.filter(batch=batch)
    assert codes.count() == 1200
    assert PromoCodeSearch.objects.filter(promo_code__in=codes).count() == 1200
    assert Revision.objects.filter(area="promocodes.create").count() == 1


def test_a_batch_queued_inside_its_transaction_is_waited_for_by_the_worker(site, tmp_path):
    """``start_creation`` queues a large batch before its transaction commits: a worker that
    gets the message first waits for the batch, then creates it."""
    from django.db import transaction

    from promocodes import creation, tasks
    from promocodes.params import CreationParams

    params = CreationParams(
        service="events",
        discount_type="percent",
        discount_value=Decimal("10"),
        expires_on=date.today() + timedelta(days=30),
        quantity=600,
        max_uses=1,
    )
    with start_celery_worker(tmp_path):
        with transaction.atomic():
            batch = creation.new_batch(site, None, params)
            tasks.generate_batch.delay(batch.pk)
            wait_for(lambda: "retry: Retry in 1s" in (tmp_path / "worker.log").read_text())
        wait_for(lambda: CreationBatch.objects.get(pk=batch.pk).state == "done", timeout=60)
        # A batch whose transaction rolled back never appears: the task gives up quietly.
        assert task_outcome(tmp_path, tasks.generate_batch.delay(batch.pk + 1000), 60) == 0
    assert PromoCode.objects.filter(batch=batch).count() == 600


def test_expiry_task_at_a_day_boundary_in_a_non_utc_site(make_site, make_code, tmp_path):
    tokyo = make_site("tokyo", time_zone="Asia/Tokyo")  # UTC+9, no daylight saving
    due = make_code(tokyo, "TOKYO1", expires_on=date(2026, 6, 30))
    later = make_code(tokyo, "TOKYO2", expires_on=date(2026, 7, 1))
    with start_celery_worker(tmp_path):
        # 14:59:59 UTC on 30 June = 23:59:59 in Tokyo: the 30th is not over yet.
        before = datetime(2026, 6, 30, 14, 59, 59, tzinfo=UTC).isoformat()
        assert task_outcome(tmp_path, expire_due_codes.delay(before)) == 0
        due.refresh_from_db()
        assert due.status == "active"
        # 15:00 UTC = midnight in Tokyo: the code expiring on the 30th is now expired.
        at_midnight = datetime(2026, 6, 30, 15, 0, tzinfo=UTC).isoformat()
        expire_due_codes.delay(at_midnight)
        wait_for(lambda: PromoCode.objects.get(pk=due.pk).status == "expired")
        assert task_outcome(tmp_path, expire_due_codes.delay(at_midnight)) == 0  # idempotent
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("expired", "active")
    assert Revision.objects.filter(site=tokyo, area="promocodes.expiry").count() == 1

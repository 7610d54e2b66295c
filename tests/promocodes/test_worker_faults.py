"""Fault tests: a real Celery worker (with beat) killed mid-task; a new one finishes the work.

Each test starts a worker with short recovery bounds (a batch or e-mail without progress for
3 s counts as stalled, beat looks every second, small chunks), kills it with SIGKILL — it and
all its processes, nothing cleaned up, nothing acknowledged — while the work is partway, then
starts another worker. The new worker listens on a queue of its own, so the messages the dead
one held are never delivered again: only the beat task's recovery can finish the work.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from promocodes import tasks
from promocodes.models import CreationBatch, PromoCode, PromoCodeEmail
from promocodes.params import CreationParams
from tests.celery_worker import sent_mail, signal_worker

from .conftest import start_celery_worker, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAST_RECOVERY = {
    "PROMOCODE_GENERATION_CHUNK": "250",
    "PROMOCODE_BATCH_STALL_SECONDS": "3",
    "PROMOCODE_RECOVERY_INTERVAL_SECONDS": "1",
    "PROMOCODE_EMAIL_CLAIM_SECONDS": "3",
    "EMAIL_TIMEOUT": "2",
}


def start_worker(tmp_path):
    return start_celery_worker(tmp_path, env=FAST_RECOVERY, beat=True)


def worker_log(tmp_path) -> str:
    path = tmp_path / "worker.log"
    return path.read_text()[-5000:] if path.exists() else ""


def codes_of(batch) -> list[str]:
    return list(PromoCode.objects.filter(batch=batch).values_list("code", flat=True))


def test_a_batch_whose_worker_is_killed_finishes_with_exactly_total_codes(
    admin_client, site, create_url, valid_create_data, tmp_path
):
    total = 20_000
    with start_worker(tmp_path) as worker:
        response = admin_client.post(create_url, dict(valid_create_data, quantity=str(total)))
        assert response.status_code == 302
        batch = CreationBatch.objects.get()
        wait_for(
            lambda: CreationBatch.objects.get(pk=batch.pk).done >= 2000,
            interval=0.02,
            message="no progress:\n" + worker_log(tmp_path),
        )
        signal_worker(worker, signal.SIGKILL)
    batch.refresh_from_db()
    assert batch.state == "running" and 2000 <= batch.done < total, "killed partway"
    killed_at = batch.done

    with start_worker(tmp_path):
        wait_for(
            lambda: CreationBatch.objects.get(pk=batch.pk).finished,
            timeout=45,
            message="not resumed:\n" + worker_log(tmp_path),
        )
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.attempts) == ("done", total, 2), batch.error
    codes = codes_of(batch)
    assert len(codes) == len(set(codes)) == total > killed_at
    page = admin_client.get(reverse("promocode-batch", args=[site.slug, "events", batch.pk]))
    assert "Resumed after an interruption" in page.content.decode()


def freeze_outside_the_send_window(worker, recipients: dict[int, str], mail_dir) -> None:
    """Stop the worker at an instant when no message is written but not yet recorded sent.

    That one window (the SMTP server accepted the message, the worker died before writing
    ``sent``) cannot be closed by any sender: a crash there e-mails twice. The test kills the
    worker anywhere else: it freezes it, and thaws and tries again while a claimed e-mail
    already has its message on disk.
    """
    for _attempt in range(200):
        signal_worker(worker, signal.SIGSTOP)
        claimed = PromoCodeEmail.objects.filter(state="sending").values_list("pk", flat=True)
        written = {m["To"] for m in sent_mail(mail_dir.parent)}
        if not any(recipients[pk] in written for pk in claimed):
            return
        signal_worker(worker, signal.SIGCONT)
        time.sleep(0.005)
    pytest.fail("the worker was never outside a send")


def test_emails_of_a_batch_whose_worker_is_killed_reach_each_recipient_once(site, tmp_path):
    count = 400
    addresses = [f"r{i:04d}@example.com" for i in range(count)]
    params = CreationParams(
        service="events",
        discount_type="percent",
        discount_value=Decimal("10"),
        expires_on=date.today() + timedelta(days=30),
        recipients=tuple((email, "") for email in addresses),
        max_uses=1,
    )
    mail_dir = tmp_path / "mail"
    with start_worker(tmp_path) as worker:
        batch = tasks.start_creation(site, None, params)
        wait_for(
            lambda: PromoCodeEmail.objects.filter(state="sent").count() >= 80,
            interval=0.02,
            message="no e-mail sent:\n" + worker_log(tmp_path),
        )
        recipients = dict(PromoCode.objects.values_list("pk", "recipient_email"))
        freeze_outside_the_send_window(worker, recipients, mail_dir)
        signal_worker(worker, signal.SIGKILL)
    sent_before = PromoCodeEmail.objects.filter(state="sent").count()
    assert 80 <= sent_before < count, "killed partway"

    with start_worker(tmp_path):
        wait_for(
            lambda: PromoCodeEmail.objects.filter(state="sent").count() == count,
            timeout=45,
            message="not all sent:\n" + worker_log(tmp_path),
        )
        time.sleep(1.5)  # room for a duplicate to show up, were there one
    received = Counter(m["To"] for m in sent_mail(mail_dir.parent))
    assert sorted(received) == sorted(addresses), "every recipient got an e-mail"
    assert [to for to, n in received.items() if n > 1] == [], "nobody got two"
    batch.refresh_from_db()
    assert batch.state == "done" and batch.done == count


@pytest.fixture
def code_quota():
    """A trigger that lets the database take only ``quota`` new codes, then silently none:
    for a batch it is a code space that is full. ``set(n)`` changes the quota."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE test_code_quota (left_over integer NOT NULL);
            INSERT INTO test_code_quota VALUES (0);
            CREATE FUNCTION test_code_quota() RETURNS trigger AS $$
            BEGIN
                UPDATE test_code_quota SET left_over = left_over - 1 WHERE left_over > 0;
                IF NOT FOUND THEN RETURN NULL; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_code_quota BEFORE INSERT ON promocodes_promocode
                FOR EACH ROW EXECUTE FUNCTION test_code_quota();
            """
        )

    def set_quota(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE test_code_quota SET left_over = %s", [n])

    yield set_quota
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER test_code_quota ON promocodes_promocode; "
            "DROP FUNCTION test_code_quota(); DROP TABLE test_code_quota;"
        )


def test_a_batch_that_runs_out_of_codes_fails_with_its_reason_and_retry_finishes_it(
    admin_client, site, create_url, valid_create_data, tmp_path, code_quota
):
    total = 3000
    code_quota(1000)
    progress = None
    with start_worker(tmp_path):
        response = admin_client.post(create_url, dict(valid_create_data, quantity=str(total)))
        assert response.status_code == 302
        batch = CreationBatch.objects.get()
        progress = reverse("promocode-batch-progress", args=[site.slug, "events", batch.pk])
        data = wait_for(
            lambda: (d := admin_client.get(progress).json())["finished"] and d,
            timeout=30,
            message="not failed:\n" + worker_log(tmp_path),
        )
        assert data["state"] == "failed" and data["done"] == 1000
        assert "choose a longer code length" in data["error"]
        page = admin_client.get(response["Location"]).content.decode()
        retry = reverse("promocode-batch-retry", args=[site.slug, "events", batch.pk])
        assert f'action="{retry}"' in page

        code_quota(total)  # room again (a longer length, codes deleted: the space is free)
        answer = admin_client.post(retry)
        assert answer.status_code == 302
        data = wait_for(
            lambda: (d := admin_client.get(progress).json())["finished"] and d,
            timeout=30,
            message="not retried:\n" + worker_log(tmp_path),
        )
    assert (data["state"], data["done"], data["error"]) == ("done", total, "")
    codes = codes_of(batch)
    assert len(codes) == len(set(codes)) == total

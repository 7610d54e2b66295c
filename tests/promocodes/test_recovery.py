"""Stalled work is found and resumed; repeated failures end Failed with a reason and a Retry.

The beat task's decisions (``promocodes.recovery``) and the *Retry* button, in-process on
PostgreSQL. The same with a real worker killed mid-task: ``test_worker_faults.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from promocodes import creation, emails, recovery, tasks
from promocodes.models import CreationBatch, PromoCode, PromoCodeEmail
from sites.models import Revision

from .test_generation import new_batch

pytestmark = pytest.mark.django_db

STALL = timedelta(seconds=settings.PROMOCODE_BATCH_STALL_SECONDS)


def long_ago() -> timezone.datetime:
    return timezone.now() - STALL - timedelta(seconds=1)


def partly_created(site, quantity: int, done: int, **fields) -> CreationBatch:
    """A batch of ``quantity`` codes whose first ``done`` exist, then left with ``fields``."""
    batch = new_batch(site, quantity=quantity)
    CreationBatch.objects.filter(pk=batch.pk).update(total=done)
    creation.generate_batch_codes(batch.pk, chunk_size=10)
    CreationBatch.objects.filter(pk=batch.pk).update(total=quantity, finished_at=None, **fields)
    batch.refresh_from_db()
    return batch


def batch_url(site, batch, name="promocode-batch"):
    return reverse(name, args=[site.slug, "events", batch.pk])


# --- Celery: at least once -------------------------------------------------------------------


def test_celery_is_configured_for_at_least_once_delivery():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # Redis must not hand a message to a second worker while the first still runs it (or
    # holds it for a countdown): its visibility timeout outlasts every task's time limit.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert visibility > settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_LONGEST_COUNTDOWN_SECONDS
    assert tasks.send_code_email.retry_backoff_max <= settings.CELERY_LONGEST_COUNTDOWN_SECONDS
    # A live sender's claim never expires: the SMTP timeout is shorter than the claim.
    assert settings.EMAIL_TIMEOUT < settings.PROMOCODE_EMAIL_CLAIM_SECONDS
    # Stalled work is looked for far more often than it is declared stalled.
    schedule = settings.CELERY_BEAT_SCHEDULE["promocodes-resume-stalled"]
    assert schedule["task"] == tasks.resume_stalled_work.name
    assert schedule["schedule"] < settings.PROMOCODE_BATCH_STALL_SECONDS


# --- Stalled batches -------------------------------------------------------------------------


def test_a_batch_without_progress_is_resumed_and_the_page_says_so(admin_client, site):
    batch = partly_created(site, 30, 10, state="running", attempts=1, last_progress_at=long_ago())
    assert recovery.stalled_batches() == [batch.pk]
    batch.refresh_from_db()
    assert (batch.state, batch.resumed) == ("pending", True)
    assert recovery.stalled_batches() == []  # not again before another stall period
    page = admin_client.get(batch_url(site, batch)).content.decode()
    assert "Resumed after an interruption" in page
    assert admin_client.get(batch_url(site, batch, "promocode-batch-progress")).json()["resumed"]

    tasks.generate_batch.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.attempts) == ("done", 30, 2)
    codes = PromoCode.objects.filter(batch=batch).values_list("code", flat=True)
    assert len(codes) == len(set(codes)) == 30


def test_a_batch_running_in_a_live_worker_is_left_alone(site):
    batch = new_batch(site, quantity=30)
    assert creation.start_run(batch.pk)
    assert recovery.stalled_batches() == []
    # A duplicated message does not start a second run beside the live one.
    assert not creation.start_run(batch.pk)
    CreationBatch.objects.filter(pk=batch.pk).update(last_progress_at=long_ago())
    assert creation.start_run(batch.pk)  # its worker died: the next run takes over
    batch.refresh_from_db()
    assert batch.attempts == 2


def test_a_batch_that_stalls_every_time_ends_failed_with_a_retry(admin_client, site):
    batch = new_batch(site, quantity=30)
    CreationBatch.objects.filter(pk=batch.pk).update(
        state="running",
        done=20,
        attempts=settings.PROMOCODE_BATCH_MAX_ATTEMPTS,
        last_progress_at=long_ago(),
    )
    assert recovery.stalled_batches() == []
    batch.refresh_from_db()
    assert batch.state == "failed" and batch.finished_at is not None
    data = admin_client.get(batch_url(site, batch, "promocode-batch-progress")).json()
    assert data["finished"] and "interrupted several times" in data["error"]
    page = admin_client.get(batch_url(site, batch)).content.decode()
    assert "interrupted several times" in page
    assert batch_url(site, batch, "promocode-batch-retry") in page


def test_retry_requeues_a_failed_batch_which_finishes_with_exactly_total_codes(
    admin_client, admin, site, django_capture_on_commit_callbacks, monkeypatch
):
    batch = partly_created(site, 30, 20, state="failed", error=recovery.BATCH_GAVE_UP)
    queued = []
    monkeypatch.setattr(tasks.generate_batch, "delay", lambda batch_id: queued.append(batch_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(batch_url(site, batch, "promocode-batch-retry"))
    assert response.status_code == 302 and response["Location"] == batch_url(site, batch)
    assert queued == [batch.pk]
    batch.refresh_from_db()
    assert (batch.state, batch.error, batch.attempts) == ("pending", "", 0)
    revision = Revision.objects.get(site=site, area="promocodes.retry")
    assert revision.actor == admin and "30" in revision.summary

    tasks.generate_batch.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.done) == ("done", 30)
    codes = PromoCode.objects.filter(batch=batch).values_list("code", flat=True)
    assert len(codes) == len(set(codes)) == 30

    # Retrying a batch that is not failed changes nothing and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(batch_url(site, batch, "promocode-batch-retry"), follow=True)
    assert "Only a failed creation can be retried." in response.content.decode()
    assert queued == [batch.pk]
    assert Revision.objects.filter(site=site, area="promocodes.retry").count() == 1


def test_retry_is_for_administrators_of_the_site_and_a_post(
    client, admin_client, organizer, outsider, site
):
    batch = new_batch(site, quantity=30)
    CreationBatch.objects.filter(pk=batch.pk).update(state="failed")
    url = batch_url(site, batch, "promocode-batch-retry")
    assert admin_client.get(url).status_code == 405
    client.force_login(organizer)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert CreationBatch.objects.get(pk=batch.pk).state == "failed"


def test_an_unexpected_error_fails_the_batch_with_a_reason(site):
    batch = new_batch(site, quantity=30, code_length=3)  # stored parameters no longer valid
    with pytest.raises(ValueError):
        tasks.generate_batch.run(batch.pk)
    batch.refresh_from_db()
    assert batch.state == "failed" and "unexpected error" in batch.error


# --- E-mails -----------------------------------------------------------------------------------


@pytest.fixture
def recipient_code(site, make_code):
    code = make_code(site, "MAILME", recipient_email="ada@example.com", recipient_name="Ada")
    emails.create_deliveries([code.pk])
    return code


def test_a_claim_whose_worker_died_is_claimed_again_after_a_bounded_time(recipient_code):
    claimed = timezone.now()
    PromoCodeEmail.objects.filter(pk=recipient_code.pk).update(
        state="sending", claimed_at=claimed, attempts=1
    )
    # A recent claim belongs to a live sender: a duplicate task sends nothing.
    assert emails.send_code_email(recipient_code.pk) == "sending" and mail.outbox == []
    stale = claimed - timedelta(seconds=settings.PROMOCODE_EMAIL_CLAIM_SECONDS + 1)
    PromoCodeEmail.objects.filter(pk=recipient_code.pk).update(claimed_at=stale)
    assert emails.send_code_email(recipient_code.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    # Sent is final: whatever comes later, it is never sent again.
    PromoCodeEmail.objects.filter(pk=recipient_code.pk).update(claimed_at=stale)
    assert emails.send_code_email(recipient_code.pk) == "sent" and len(mail.outbox) == 1
    assert recovery.lost_emails(timezone.now() + timedelta(days=1)) == []


def test_lost_emails_are_queued_again_only_when_lost(recipient_code, make_code, site):
    other = make_code(site, "MAILTO", recipient_email="lin@example.com")
    emails.create_deliveries([other.pk])
    # Just queued: not lost.
    assert recovery.lost_emails() == []
    later = timezone.now() + STALL + timedelta(seconds=1)
    # Workers are busy sending (a claim in the last stall period): a queue is slow, not lost.
    PromoCodeEmail.objects.filter(pk=other.pk).update(state="sent", claimed_at=later)
    assert recovery.lost_emails(later) == []
    # Nothing claimed for a stall period: the pending e-mail's message is gone.
    idle = later + STALL + timedelta(seconds=1)
    assert recovery.lost_emails(idle) == [recipient_code.pk]
    assert recovery.lost_emails(idle) == []  # queued again just now


def test_an_email_that_keeps_failing_ends_failed(recipient_code):
    PromoCodeEmail.objects.filter(pk=recipient_code.pk).update(
        attempts=settings.PROMOCODE_EMAIL_MAX_ATTEMPTS, last_error="SMTP 451"
    )
    assert recovery.lost_emails(timezone.now() + 2 * STALL) == []
    assert PromoCodeEmail.objects.get(pk=recipient_code.pk).state == "failed"

"""Fixtures of the promotional codes tests: factories, and a real Celery worker.

``start_celery_worker`` is written to be shared: it gives the worker a queue of its own and
routes this process's tasks to it, so that another worker on the same Redis database (another
test run, another engineer) can never take the tasks of this test, and vice versa.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.celery_worker import celery_worker as start_celery_worker  # noqa: F401
from tests.celery_worker import database_url  # noqa: F401


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, message: str = ""):
    """Poll until ``predicate()`` is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or "condition not met in time")
        time.sleep(interval)


# --- Factories ------------------------------------------------------------------------


@pytest.fixture
def make_session(db):
    from sites.models import Session

    def make(site, title="Intro", service="events", kind="event_recording", fee="50.00", **kw):
        if kind in ("live_event", "live_training"):
            kw.setdefault("starts_at", timezone.now() + timedelta(days=7))
        return Session.objects.create(
            site=site, title=title, service=service, kind=kind, fee=Decimal(fee), **kw
        )

    return make


@pytest.fixture
def make_code(db):
    """A code created directly (no form): ``make_code(site, "ABC123", max_uses=3, …)``."""
    from promocodes.models import PromoCode

    counter = iter(range(1, 1_000_000))

    def make(site, code=None, **fields):
        fields.setdefault("service", "events")
        fields.setdefault("discount_type", "percent")
        fields.setdefault("discount_value", Decimal("10"))
        fields.setdefault("expires_on", date.today() + timedelta(days=30))
        fields.setdefault("max_uses", 1)
        return PromoCode.objects.create(
            site=site, code=code or f"CODE{next(counter):06d}", **fields
        )

    return make


@pytest.fixture
def create_url(site):
    from django.urls import reverse

    return reverse("promocode-create", args=[site.slug, "events"])


@pytest.fixture
def report_url(site):
    from django.urls import reverse

    return reverse("promocode-report", args=[site.slug, "events"])


@pytest.fixture
def action_url(site):
    from django.urls import reverse

    return reverse("promocode-action", args=[site.slug, "events"])


@pytest.fixture
def csv_url(site):
    from django.urls import reverse

    return reverse("promocode-csv", args=[site.slug, "events"])


@pytest.fixture
def future():
    """A date a month ahead, as typed in the form (dd/mm/yyyy)."""
    return (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")


@pytest.fixture
def valid_create_data(future):
    """The smallest valid *Create*: one generated code, 10 % off, for Events."""
    return {
        "service": "events",
        "code_type": "generated",
        "quantity": "1",
        "code_length": "8",
        "usage": "once",
        "discount_type": "percent",
        "discount_value": "10",
        "expires_on": future,
        "applies_to": "all",
    }

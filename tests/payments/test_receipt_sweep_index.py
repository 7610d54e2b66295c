"""The receipt sweep reads its partial index on PostgreSQL, and finds exactly the due receipts.

``receipts.due_receipts`` (beat's ``send_due_receipts``) looks for paid payments whose receipt
was never sent: a handful among every payment ever made. Its partial index
``payment_receipt_due`` (``RECEIPT_UNSENT``, by ``paid_at``) holds only those, so the sweep
stays a small index read however large the table grows. With 30,000 payments, nearly all with
their receipt sent, and fresh statistics (``ANALYZE``), PostgreSQL's own plan for the sweep's
query reads that index.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from payments import receipts
from payments.models import Payment, PaymentStatus
from sites.models import Session
from tests.factories import make_payment

pytestmark = pytest.mark.django_db

PAYMENTS = 30_000


def copies(template: Payment, count: int) -> None:
    """``count`` copies of ``template`` in one INSERT … SELECT (own keys and tokens)."""
    columns = [f.column for f in Payment._meta.concrete_fields if not f.primary_key]
    own = {
        "idempotency_key": "gen_random_uuid()",
        "public_token": "md5(random()::text || g::text)",
    }
    select = ", ".join(own.get(column, f"p.{column}") for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO payments_payment ({', '.join(columns)}) "  # noqa: S608 - model columns
            f"SELECT {select} FROM payments_payment p, generate_series(1, %s) g WHERE p.id = %s",
            [count, template.pk],
        )


@pytest.fixture
def table(make_site):
    """30,000 payments: most paid with their receipt sent, some never paid, a few due."""
    site = make_site("sweep")
    session = Session.objects.create(
        site=site, title="Keynote", service="events", kind="event_recording", fee=Decimal("10")
    )
    now = timezone.now()
    an_hour_ago = now - timedelta(hours=1)
    due = [make_payment(session, paid_at=an_hour_ago) for _ in range(12)]
    for _ in range(3):
        make_payment(session, paid_at=now)  # within the grace: not due yet
        make_payment(session, paid_at=now - timedelta(days=8))  # too old: left to operators
    copies(make_payment(session, PaymentStatus.DECLINED), 1_999)
    sent = make_payment(session, paid_at=an_hour_ago, receipt_sent_at=an_hour_ago)
    copies(sent, PAYMENTS - 2_019)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE payments_payment")
    return due


def test_the_sweep_reads_its_partial_index_and_finds_exactly_the_due_receipts(table):
    assert Payment.objects.count() == PAYMENTS
    assert sorted(receipts.due_receipts()) == sorted(p.pk for p in table)

    plan = receipts.due_receipts()[:200].explain()
    assert "payment_receipt_due" in plan, plan
    assert "Seq Scan" not in plan, plan

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid, pg_get_indexdef(i.indexrelid), c.reltuples "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'payment_receipt_due'"
        )
        [(valid, definition, rows)] = cursor.fetchall()
    assert valid  # built concurrently, and the build completed
    assert "(paid_at)" in definition
    assert "WHERE ((receipt_sent_at IS NULL) AND ((status)::text = 'paid'::text))" in definition
    assert rows == 18  # the 12 due, 3 in their grace, 3 too old: not the 30,000

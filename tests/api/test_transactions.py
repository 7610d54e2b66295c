"""Transactions through the API: the report with its totals, one payment, the CSV, and the
refund — the same service as the console's, idempotent per ``Idempotency-Key`` — against the
PayPal simulator over HTTP."""

from __future__ import annotations

import json
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from payments.gateways.base import CardDetails
from payments.models import Payment, PaymentStatus, Refund
from payments.provider_gateways import payflow_gateways
from sites.models import Revision, Session
from tests.api.conftest import api_url
from tests.api.openapi import ValidatingClient

CARD = CardDetails("4111111111111111", 12, 2030, "123", name="Ada Lovelace")


def paid_sale(site, session, amount="80.00", **fields) -> Payment:
    """A real card sale on the simulator (the shop's ``acmedemo`` account), recorded paid."""
    client, _checkout = payflow_gateways(
        "test", partner="PayPal", vendor="acmedemo", user="acmedemo", password="pilot-pass-1"
    )
    result = client.sale(CARD, Decimal(amount), "USD", uuid.uuid4().hex)
    assert result.approved, result
    fields.setdefault("is_test", True)
    return Payment.objects.create(
        site=site,
        session=session,
        attendee_name="Ada Lovelace",
        attendee_email="ada@example.com",
        fee=Decimal(amount),
        amount=Decimal(amount),
        currency="USD",
        provider="payflow_pro",
        method="card",
        status=PaymentStatus.PAID,
        gateway_reference=result.reference,
        **fields,
    )


def credits(paypal_sandbox) -> list[dict]:
    return [e for e in paypal_sandbox.ledger() if e["kind"] in ("credit", "refund")]


@pytest.fixture
def sold(shop, priced_session):
    return paid_sale(shop, priced_session)


def refund(client, site, payment, body=None, key=None):
    return client.post(
        api_url(site, f"transactions/{payment.pk}/refund/"),
        body or {},
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


@pytest.mark.django_db
def test_list_with_filters_and_totals(shop, priced_session, sold, reader):
    other = Session.objects.create(
        site=shop, title="Other", service="events", kind="event_recording", fee=10
    )
    Payment.objects.create(
        site=shop,
        session=other,
        attendee_name="Bo",
        attendee_email="bo@example.com",
        fee=10,
        amount=10,
        currency="USD",
        provider="payflow_pro",
        method="card",
        is_test=True,
        status=PaymentStatus.DECLINED,
    )
    data = reader.get(api_url(shop, "transactions/?scope=test")).json()
    assert len(data["results"]) == 2
    assert data["totals"] == [
        {
            "currency": "USD",
            "count": 2,
            "paid_count": 1,
            "gross": "80.00",
            "discounts": "0.00",
            "refunded": "0.00",
            "reversed": "0.00",
            "net": "80.00",
        }
    ]
    data = reader.get(api_url(shop, f"transactions/?scope=test&session={priced_session.pk}"))
    assert [p["id"] for p in data.json()["results"]] == [sold.pk]
    # Live payments only by default, like the console.
    assert reader.get(api_url(shop, "transactions/")).json()["results"] == []


@pytest.mark.django_db
def test_bad_transaction_filters_are_400(shop, reader, other_site):
    foreign = Session.objects.create(
        site=other_site, title="Theirs", service="events", kind="event_recording", fee=1
    )
    response = reader.get(api_url(shop, f"transactions/?session={foreign.pk}"))
    assert response.status_code == 400 and "session" in response.json()["error"]["fields"]
    response = reader.get(api_url(shop, "transactions/?date_from=2025-02-02&date_to=2025-02-01"))
    assert response.status_code == 400 and "date_to" in response.json()["error"]["fields"]
    response = reader.get(api_url(shop, "transactions/?cursor=zzz"))
    assert response.status_code == 400 and "cursor" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_retrieve_and_csv(shop, sold, reader):
    data = reader.get(api_url(shop, f"transactions/{sold.pk}/")).json()
    assert (data["amount"], data["refundable"], data["refunds"]) == ("80.00", "80.00", [])
    response = reader.get(api_url(shop, "transactions/export.csv?scope=test"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and sold.gateway_reference in lines[1]


@pytest.mark.django_db
def test_partial_then_full_refund_through_paypal(shop, sold, writer, admin, paypal_sandbox):
    response = refund(writer, shop, sold, {"amount": "30.00"})
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["status"]) == ("30.00", "refunded")
    response = refund(writer, shop, sold)
    assert response.json()["amount"] == "50.00"
    sold.refresh_from_db()
    assert sold.refunded_amount == Decimal("80.00")
    assert [Decimal(c["amount"]) for c in credits(paypal_sandbox)] == [
        Decimal("30.00"),
        Decimal("50.00"),
    ]
    assert Revision.objects.filter(site=shop, area="transactions.refund", actor=admin).count() == 2
    # Nothing left: the console's form says so.
    response = refund(writer, shop, sold)
    assert response.status_code == 422 and "amount" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_refund_validation(shop, sold, writer, priced_session):
    too_much = refund(writer, shop, sold, {"amount": "80.01"})
    assert too_much.status_code == 422 and "amount" in too_much.json()["error"]["fields"]
    no_key = writer.post(api_url(shop, f"transactions/{sold.pk}/refund/"), {})
    assert no_key.status_code == 400
    assert "Idempotency-Key" in no_key.json()["error"]["fields"]
    unpaid = Payment.objects.create(
        site=shop,
        session=priced_session,
        attendee_name="X",
        attendee_email="x@example.com",
        fee=5,
        amount=5,
        currency="USD",
        provider="payflow_pro",
        method="card",
        status=PaymentStatus.PENDING,
    )
    assert refund(writer, shop, unpaid).status_code == 422
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_repeat_returns_the_first_answer_and_another_body_conflicts(shop, sold, writer):
    first = refund(writer, shop, sold, {"amount": "10.00"}, key="refund-42")
    again = refund(writer, shop, sold, {"amount": "10.00"}, key="refund-42")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Refund.objects.count() == 1
    other = refund(writer, shop, sold, {"amount": "11.00"}, key="refund-42")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # A refused attempt does not use the key up: after fixing the amount it goes through.
    refused = refund(writer, shop, sold, {"amount": "999.00"}, key="refund-43")
    assert refused.status_code == 422
    assert refund(writer, shop, sold, {"amount": "5.00"}, key="refund-43").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_repeats_refund_once(shop, priced_session, admin, make_key, paypal_sandbox):
    """20 threads, each its own PostgreSQL connection, send the same refund with the same key
    at once: one refund row, one credit in the simulator's ledger, 20 identical answers."""
    assert connection.vendor == "postgresql"
    plain = make_key(shop, admin, "write")
    sold = paid_sale(shop, priced_session)
    paypal_sandbox.set_faults(delay_seconds=0.3, only_matching="TRXTYPE=C")
    barrier = threading.Barrier(20)
    answers: list = [None] * 20

    def send(index: int) -> None:
        try:
            client = ValidatingClient(HTTP_AUTHORIZATION=f"Bearer {plain}")
            barrier.wait(timeout=30)
            response = refund(client, shop, sold, {"amount": "25.00"}, key="campaign-refund-1")
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    paypal_sandbox.set_faults()
    assert all(a is not None for a in answers), answers
    assert {a[0] for a in answers} == {201}
    # The same answer (stored as JSON: compared as data, whatever the key order).
    assert len({json.dumps(a[1], sort_keys=True) for a in answers}) == 1
    assert Refund.objects.filter(payment=sold).count() == 1
    sold.refresh_from_db()
    assert sold.refunded_amount == Decimal("25.00")
    assert [Decimal(c["amount"]) for c in credits(paypal_sandbox)] == [Decimal("25.00")]


def test_a_chargeback_shows_in_the_payment_and_the_totals(shop, sold, reader):
    """A payment PayPal reversed (webhook PAYMENT.CAPTURE.REVERSED) reads as the report shows
    it: status reversed, the amount taken back, and totals whose net excludes it."""
    Payment.objects.filter(pk=sold.pk).update(
        status=PaymentStatus.REVERSED, reversed_amount=Decimal("80.00")
    )
    data = reader.get(api_url(shop, "transactions/?scope=test")).json()
    [row] = data["results"]
    assert (row["status"], row["reversed_amount"]) == ("reversed", "80.00")
    [totals] = data["totals"]
    assert (totals["gross"], totals["reversed"], totals["net"]) == ("80.00", "80.00", "0.00")
    detail = reader.get(api_url(shop, f"transactions/{sold.pk}/")).json()
    assert detail["reversed_amount"] == "80.00"
    assert detail["refundable"] == "0.00"

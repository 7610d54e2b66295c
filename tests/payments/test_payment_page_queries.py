"""The payment page's database work is fixed: the typed promo code is looked up once per
request (its price shown, then charged), and the payment is created at its final amount."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import Payment

from .test_payment_page import form_data, make_code, page_url

pytestmark = pytest.mark.django_db

CODE_TABLE = '"promocodes_promocode"'
GET_QUERIES = 0  # site, session, settings and account: from the shared cache
APPLY_QUERIES = 1  # the one lookup of the typed code
CARD_QUERIES = 21  # a budget: the sale, its settlement and registration included


def code_lookups(queries) -> list[str]:
    """The SELECTs that find a code by its text (the case-insensitive lookup)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT")
        and f"FROM {CODE_TABLE}" in q["sql"]
        and "UPPER" in q["sql"]
    ]


def post(client, session, data):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(page_url(session), data)
    return response, captured.captured_queries


def test_get_is_a_fixed_number_of_queries(client, priced_session, django_assert_num_queries):
    client.get(page_url(priced_session))  # warm the per-process caches (content types, …)
    with django_assert_num_queries(GET_QUERIES):
        assert client.get(page_url(priced_session)).status_code == 200


def test_apply_looks_the_code_up_once(client, priced_session):
    make_code(priced_session.site)
    data = form_data(client, priced_session, action="apply", promo_code="save20")
    response, queries = post(client, priced_session, data)
    assert "−$20.00" in response.content.decode()
    assert len(code_lookups(queries)) == 1
    assert len(queries) == APPLY_QUERIES, [q["sql"] for q in queries]


def test_card_payment_with_a_code_looks_it_up_once_and_creates_the_final_amount(
    client, priced_session, paypal_sandbox
):
    make_code(priced_session.site)
    data = form_data(client, priced_session, promo_code="SAVE20")
    response, queries = post(client, priced_session, data)
    assert response.status_code == 302
    assert len(code_lookups(queries)) == 1
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "payments_payment"')]
    assert len(inserts) == 1
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "payments_payment"')]
    assert not any('"discount"' in sql for sql in updates)  # created at its final amount
    payment = Payment.objects.get()
    assert (payment.fee, payment.discount, payment.amount) == (100, 20, 80)
    assert len(queries) <= CARD_QUERIES, len(queries)

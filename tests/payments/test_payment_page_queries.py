"""The payment page's database work is fixed: a warm GET runs none, a cold one reads the site,
the session, its settings and account once; the typed promo code is looked up once per request
(its price shown, then charged), and the payment is created at its final amount."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import Payment

from .test_payment_page import form_data, make_code, page_url

pytestmark = pytest.mark.django_db

CODE_TABLE = '"promocodes_promocode"'
GET_QUERIES = 0  # site, session, settings and account: from the shared cache
COLD_GET_QUERIES = 4  # the site, the session, its settings, the active account: once each
APPLY_QUERIES = 1  # the one lookup of the typed code
# A card payment without a code: the attempt looked up, its row created, moved to pending, the
# account's secret read, moved to paid with the registration (one INSERT), read back: 7. The
# test's own transaction turns each of the 2 atomic blocks into a savepoint and its release
# (and leaves out the SET LOCAL synchronous_commit of a creation in its own transaction).
CARD_QUERIES = 7 + 2 * 2
# With a code: + its lookup, the code use taken (a savepoint, the held use, the counter, the
# use, the release), and the payment read before the registration (the use as it stands).
CARD_WITH_CODE_QUERIES = CARD_QUERIES + 1 + 5 + 1


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


def test_a_cold_get_reads_each_shared_row_once(client, priced_session, django_assert_num_queries):
    client.get(page_url(priced_session))  # the per-process caches (content types, …)
    cache.clear()  # the shared cache is empty: the page is built from the database
    with django_assert_num_queries(COLD_GET_QUERIES):
        assert client.get(page_url(priced_session)).status_code == 200
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
    assert len(queries) == CARD_WITH_CODE_QUERIES, [q["sql"] for q in queries]


def test_a_card_payment_is_a_fixed_number_of_queries(client, priced_session, paypal_sandbox):
    data = form_data(client, priced_session)
    response, queries = post(client, priced_session, data)
    assert response.status_code == 302
    assert Payment.objects.get().status == "paid"
    assert len(queries) == CARD_QUERIES, [q["sql"] for q in queries]
    registrations = [q["sql"] for q in queries if 'INTO "payments_registration"' in q["sql"]]
    assert len(registrations) == 1 and "ON CONFLICT DO NOTHING" in registrations[0]


@pytest.mark.django_db(transaction=True)
def test_only_the_card_payments_creation_skips_waiting_for_the_disk(
    client, priced_session, paypal_sandbox
):
    """The creation's COMMIT does not wait for the disk; the move to pending, sent before the
    charge and flushing the creation with it, does (its own autocommitted UPDATE)."""
    data = form_data(client, priced_session)
    response, queries = post(client, priced_session, data)
    assert response.status_code == 302
    sql = [q["sql"] for q in queries]
    lazy = sql.index("SET LOCAL synchronous_commit TO OFF")
    created = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "payments_payment"'))
    committed = sql.index("COMMIT", created)
    pending = next(i for i, s in enumerate(sql) if "SET \"status\" = 'pending'" in s)
    assert sql[lazy - 1] == "BEGIN" and lazy < created < committed < pending
    assert "BEGIN" not in sql[committed:pending]  # autocommit: a durable COMMIT of its own
    assert sql.count("SET LOCAL synchronous_commit TO OFF") == 1

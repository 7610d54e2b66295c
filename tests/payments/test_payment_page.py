"""The public payment page, end to end over real HTTP against the PayPal simulator."""

import re
import threading
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from payments.models import CommerceSettings, Payment, Registration
from promocodes.models import PromoCode
from tests import french_typography

pytestmark = pytest.mark.django_db

VISA = "4111111111111111"


def page_url(session):
    return reverse("payment-page", args=[session.site.slug, session.pk])


def form_data(client, session, **fields):
    page = client.get(page_url(session))
    attempt = re.search(r'name="attempt" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "attempt": attempt,
        "attendee_name": "Ada Attendee",
        "attendee_email": "ada@example.com",
        "promo_code": "",
        "card_type": "visa",
        "card_number": VISA,
        "expiry": "12/39",
        "security_code": "123",
        "name_on_card": "Ada Attendee",
        "postal_code": "10001",
        "action": "pay_card",
    }
    data.update(fields)
    return data


def make_code(site, code="SAVE20", **fields):
    from datetime import date

    defaults = {
        "service": "events",
        "discount_type": "percent",
        "discount_value": Decimal("20"),
        "expires_on": date(2039, 1, 1),
        "max_uses": 10,
    }
    defaults.update(fields)
    return PromoCode.objects.create(site=site, code=code, **defaults)


def test_page_shows_business_header_fee_footer_support_and_test_banner(client, priced_session):
    body = client.get(page_url(priced_session)).content.decode()
    for text in (
        "Acme Events",
        "Launch keynote",
        "$100.00",
        "Pay securely below.",
        "No refunds after the event.",
        "help@acme.example",
        "TEST MODE",
        "Pay with PayPal",
        'value="visa"',
        'value="amex"',
    ):
        assert text in body, text
    assert 'value="jcb"' not in body  # not ticked


def test_card_payment_is_approved_recorded_and_receipted(
    client, priced_session, paypal_sandbox, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(priced_session), form_data(client, priced_session))
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.amount == Decimal("100.00") and payment.is_test
    assert payment.card_brand == "visa" and payment.card_last4 == "1111"
    assert len(payment.gateway_reference) == 12
    assert Registration.objects.filter(payment=payment, attendee_email="ada@example.com").exists()
    done = client.get(response["Location"]).content.decode()
    assert "payment is confirmed" in done and payment.gateway_reference in done
    [receipt] = mail.outbox
    assert "[TEST]" in receipt.subject and "Acme Events" in receipt.subject
    assert payment.gateway_reference in receipt.body and "help@acme.example" in receipt.body
    assert VISA not in receipt.body
    [sale] = paypal_sandbox.ledger()
    assert sale["amount"] in ("100.00", "100.0", 100.0)


@pytest.mark.parametrize(
    ("language", "subject", "amount"),
    [("fr", "Votre reçu de Acme Events", "100,00\u00a0$"), ("en", "Your receipt from", "$100.00")],
)
def test_the_receipt_is_in_the_language_of_the_page_the_attendee_paid_on(
    client,
    priced_session,
    paypal_sandbox,
    eager_celery,
    django_capture_on_commit_callbacks,
    language,
    subject,
    amount,
):
    # The site speaks English; the attendee chose the page's language.
    client.cookies["django_language"] = language
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(priced_session), form_data(client, priced_session))
    assert Payment.objects.get().language == language
    [receipt] = mail.outbox
    assert subject in receipt.subject and "Acme Events" in receipt.subject
    assert amount in receipt.body and "help@acme.example" in receipt.body
    if language == "fr":
        assert french_typography.faults(receipt.body) == []


def test_a_declined_card_shows_the_reason_and_lets_the_attendee_retry(
    client, priced_session, paypal_sandbox
):
    priced_session.fee = Decimal("1012.00")  # the pilot server declines with RESULT 12
    priced_session.save()
    response = client.post(page_url(priced_session), form_data(client, priced_session))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Payment refused." in body
    assert Payment.objects.get().status == "declined"
    assert VISA not in body
    new_attempt = re.search(r'name="attempt" value="([^"]+)"', body).group(1)
    assert new_attempt != str(Payment.objects.get().idempotency_key)


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"card_number": "4111111111111112"}, "not valid"),
        ({"card_number": "5555555555554444"}, "not a Visa card"),
        ({"expiry": "01/20"}, "expired"),
        ({"expiry": "13/30"}, "mm/yy"),
        ({"security_code": "12"}, "3 digits"),
        ({"card_type": "jcb"}, "Select a valid choice"),
        ({"attendee_email": "nope"}, "valid email"),
        ({"card_number": ""}, "required"),
    ],
)
def test_bad_card_input_is_refused_before_anything_is_sent(
    client, priced_session, paypal_sandbox, fields, error
):
    response = client.post(page_url(priced_session), form_data(client, priced_session, **fields))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Payment.objects.exists()
    assert paypal_sandbox.ledger() == []


def test_a_card_paypal_does_not_know_is_refused_with_paypals_reason(
    client, priced_session, paypal_sandbox
):
    # A well-formed Visa number that is not one of PayPal's test cards: RESULT 23.
    response = client.post(
        page_url(priced_session), form_data(client, priced_session, card_number="4000000000000002")
    )
    assert response.status_code == 200
    payment = Payment.objects.get()
    assert payment.status == "declined" and payment.result_code == "23"
    assert payment.result_message in response.content.decode()
    assert paypal_sandbox.ledger() == []


def test_double_submit_charges_once(client, priced_session, paypal_sandbox):
    data = form_data(client, priced_session)
    first = client.post(page_url(priced_session), data)
    second = client.post(page_url(priced_session), data)
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert len(paypal_sandbox.ledger()) == 1


def test_a_tampered_amount_changes_nothing(client, priced_session, paypal_sandbox):
    client.post(
        page_url(priced_session), form_data(client, priced_session, amount="1.00", fee="1.00")
    )
    assert Payment.objects.get().amount == Decimal("100.00")
    assert paypal_sandbox.ledger()[0]["amount"] in ("100.00", 100.0)


def test_promo_code_apply_shows_the_total_or_the_precise_refusal(client, priced_session):
    make_code(priced_session.site)
    make_code(priced_session.site, code="TRAINONLY", service="training")
    data = form_data(client, priced_session, action="apply", promo_code="save20")
    body = client.post(page_url(priced_session), data).content.decode()
    assert "$80.00" in body and "−$20.00" in body
    for code, reason in (("NOPE", "does not exist"), ("TRAINONLY", "does not apply")):
        body = client.post(page_url(priced_session), {**data, "promo_code": code}).content.decode()
        assert reason in body


def test_promo_code_is_applied_and_counted_once(client, priced_session, paypal_sandbox):
    code = make_code(priced_session.site)
    data = form_data(client, priced_session, promo_code="SAVE20")
    client.post(page_url(priced_session), data)
    client.post(page_url(priced_session), data)  # double submit
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.discount == Decimal("20.00")
    assert payment.amount == Decimal("80.00") and payment.promo_code == code
    code.refresh_from_db()
    assert code.uses == 1


def test_a_declined_payment_gives_the_promo_code_use_back(client, priced_session, paypal_sandbox):
    priced_session.fee = Decimal("1265.00")  # 1265 − 20% = 1012.00 → RESULT 12
    priced_session.save()
    code = make_code(priced_session.site, max_uses=1)
    client.post(page_url(priced_session), form_data(client, priced_session, promo_code="SAVE20"))
    assert Payment.objects.get().status == "declined"
    code.refresh_from_db()
    assert code.uses == 0 and code.status == "active"


def test_timeout_leaves_pending_then_the_resolver_settles_it(
    client, priced_session, paypal_sandbox, settings
):
    from payments import checkout

    settings.PAYPAL_TIMEOUT_SECONDS = 1
    paypal_sandbox.set_faults(delay_seconds=2)
    response = client.post(page_url(priced_session), form_data(client, priced_session))
    payment = Payment.objects.get()
    assert payment.status == "pending"
    assert "being confirmed" in client.get(response["Location"]).content.decode()
    paypal_sandbox.set_faults()
    assert checkout.resolve_pending(payment).status == "paid"
    assert len(paypal_sandbox.ledger()) == 1


def test_express_checkout_via_payflow_approve(client, priced_session, paypal_sandbox):
    data = form_data(client, priced_session, action="pay_paypal")
    response = client.post(page_url(priced_session), data)
    approval = response["Location"]
    assert approval.startswith(paypal_sandbox.base_url)
    back = approve_on_paypal(approval, "approve")
    done = client.get(back, follow=True)
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.method == "paypal"
    assert "payment is confirmed" in done.content.decode()
    assert [e["kind"] for e in paypal_sandbox.ledger()] == ["express_checkout"]


def test_express_checkout_cancel_returns_to_the_page(client, priced_session, paypal_sandbox):
    code = make_code(priced_session.site, max_uses=1)
    data = form_data(client, priced_session, action="pay_paypal", promo_code="SAVE20")
    approval = client.post(page_url(priced_session), data)["Location"]
    back = approve_on_paypal(approval, "cancel")
    page = cancel_on_our_page(client, back)
    assert Payment.objects.get().status == "cancelled"
    assert "cancelled" in page.content.decode()
    code.refresh_from_db()
    assert code.uses == 0
    assert paypal_sandbox.ledger() == []


def test_the_page_after_a_cancel_keeps_what_the_attendee_typed(
    client, priced_session, paypal_sandbox
):
    make_code(priced_session.site, max_uses=1)
    data = form_data(client, priced_session, action="pay_paypal", promo_code="SAVE20")
    data.update(attendee_name="Zoé Martin", attendee_email="zoe@example.org")
    approval = client.post(page_url(priced_session), data)["Location"]
    page = cancel_on_our_page(client, approve_on_paypal(approval, "cancel"))
    body = page.content.decode()
    assert 'value="Zoé Martin"' in body and 'value="zoe@example.org"' in body
    assert 'value="SAVE20"' in body
    assert 'name="card_number"' in body and 'name="card_number" value' not in body
    assert "Discount" in body  # the price shown is the price with the code
    # Another browser gets an empty form.
    assert "zoe@example.org" not in Client().get(page_url(priced_session)).content.decode()


def test_orders_v2_for_express_checkout_us(
    client, priced_session, paypal_sandbox, use_express_checkout_us
):
    body = client.get(page_url(priced_session)).content.decode()
    assert "Pay with PayPal" in body and 'name="card_number"' not in body
    data = form_data(client, priced_session, action="pay_paypal")
    approval = client.post(page_url(priced_session), data)["Location"]
    back = approve_on_paypal(approval, "approve")
    client.get(back, follow=True)
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.gateway_reference
    [capture] = paypal_sandbox.ledger()
    assert capture["kind"] == "capture" and capture["payee"] == "merchant@acme.example"


def approve_on_paypal(approval_url, decision):
    """Press approve or cancel on the simulator's buyer page; return our return URL's path."""
    page = requests.get(approval_url, timeout=10).text
    forms = re.findall(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', page, re.S)
    action, inner = next((a, f) for a, f in forms if f'id="{decision}"' in f)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', inner))
    answer = requests.post(
        urljoin(approval_url, action.replace("&amp;", "&")),
        data=fields,
        allow_redirects=False,
        timeout=10,
    )
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def cancel_on_our_page(client, back):
    """PayPal's cancel link lands on our page (a GET changes nothing); the attendee's browser
    presses *Cancel this payment* (a POST)."""
    page = client.get(back)
    assert page.status_code == 200 and "Cancel this payment" in page.content.decode()
    return client.post(urlsplit(back).path, follow=True)


def test_unavailable_sessions_say_so_without_an_error(client, priced_session, make_site):
    CommerceSettings.objects.filter(site=priced_session.site).update(events_enabled=False)
    body = client.get(page_url(priced_session)).content.decode()
    assert "not turned on" in body and 'name="card_number"' not in body
    assert client.post(page_url(priced_session), {"action": "pay_card"}).status_code == 200
    priced_session.site.ecommerce_provisioned = False
    priced_session.site.save()
    assert "not available" in client.get(page_url(priced_session)).content.decode()


def test_another_sites_session_is_404(client, priced_session, other_site):
    assert (
        client.get(reverse("payment-page", args=[other_site.slug, priced_session.pk])).status_code
        == 404
    )


def test_card_numbers_are_stored_nowhere(
    client, priced_session, paypal_sandbox, caplog, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            page_url(priced_session), form_data(client, priced_session, security_code="737")
        )
        priced_session.fee = Decimal("1012.00")
        priced_session.save()
        client.post(
            page_url(priced_session),
            form_data(client, priced_session, card_number="4012888888881881"),
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema='public' AND data_type IN ('text','character varying','jsonb')"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" '
                f'WHERE "{column}"::text LIKE %s OR "{column}"::text LIKE %s',
                ["%4111111111111111%", "%4012888888881881%"],
            )
            assert cursor.fetchone()[0] == 0, (table, column)
    assert "4111111111111111" not in caplog.text and "4012888888881881" not in caplog.text
    assert all("4111111111111111" not in m.body for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_one_use_code_raced_by_20_payments_discounts_exactly_once(priced_session, paypal_sandbox):
    make_code(priced_session.site, code="ONCE", max_uses=1)
    url = page_url(priced_session)
    forms = []
    for _ in range(20):
        c = Client()
        forms.append((c, form_data(c, priced_session, promo_code="ONCE")))
    barrier = threading.Barrier(20)

    def pay(c, data):
        barrier.wait()
        c.post(url, data)
        connection.close()

    threads = [threading.Thread(target=pay, args=f) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    discounted = Payment.objects.filter(status="paid", discount__gt=0).count()
    assert discounted == 1
    assert PromoCode.objects.get(code="ONCE").uses == 1

"""Issue 11 §8 and 12 §3: a PayPal checkout holds its promo code use only for the approval
window; left alone it ends *Abandoned* (use back, nothing charged), a late approval collects
nothing, an approval without return within the window is collected by the resolver, and
payment attempts are limited per client and per code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from payments.models import Payment
from promocodes.models import PromoCode
from tests.payments.paypal_steps import FR, kinds, resolve, start, transactions_page
from tests.payments.test_payment_page import (
    approve_on_paypal,
    cancel_on_our_page,
    form_data,
    make_code,
    page_url,
)

pytestmark = pytest.mark.django_db


def age(payment: Payment, minutes: float) -> None:
    """Pretend the attempt started ``minutes`` ago."""
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.mark.parametrize("provider", ["payflow", "rest"])
def test_an_unfinished_checkout_is_abandoned_after_the_window_and_a_late_return_collects_nothing(
    request, client, admin_client, priced_session, paypal_sandbox, settings, provider
):
    if provider == "rest":
        request.getfixturevalue("use_express_checkout_us")
    code = make_code(priced_session.site, max_uses=1)
    approval = start(client, priced_session, promo_code="SAVE20")
    payment = Payment.objects.get()
    assert payment.status == "pending"
    assert PromoCode.objects.get(pk=code.pk).uses == 1

    resolve(settings)  # within the window: nothing happens
    assert Payment.objects.get().status == "pending"

    age(payment, settings.PAYMENT_APPROVAL_WINDOW_MINUTES + 1)
    assert resolve(settings) == {"abandoned": 1}
    payment.refresh_from_db()
    assert payment.status == "abandoned"
    assert PromoCode.objects.get(pk=code.pk).uses == 0
    assert "Abandoned" in transactions_page(admin_client, priced_session.site)
    assert "Abandonné" in transactions_page(admin_client, priced_session.site, **FR)

    # The attendee approves on PayPal after all and comes back: nothing is collected.
    back = approve_on_paypal(approval, "approve")
    page = client.get(back, follow=True).content.decode()
    assert "not completed on PayPal in time. Nothing was charged" in page
    assert Payment.objects.get().status == "abandoned"
    assert paypal_sandbox.ledger() == []
    french = client.get(back, follow=True, **FR).content.decode()
    assert "Rien n’a été débité" in french
    # One later look at PayPal (the checkout reached it) finds nothing collected, and stops.
    resolve(settings)
    payment.refresh_from_db()
    assert payment.status == "abandoned" and payment.next_check_at is None
    assert paypal_sandbox.ledger() == []


def test_an_approval_without_return_within_the_window_is_collected_by_the_resolver(
    client, priced_session, paypal_sandbox, use_express_checkout_us, settings
):
    paypal_sandbox.set_faults(approve_without_return=True)
    approval = start(client, priced_session)
    page = approve_on_paypal_without_return(approval)
    assert "close this window" in page.lower()
    assert resolve(settings) == {"paid": 1}
    assert kinds(paypal_sandbox) == ["capture"]
    assert resolve(settings) == {}


def approve_on_paypal_without_return(approval_url: str) -> str:
    import re
    from urllib.parse import urljoin

    import requests

    page = requests.get(approval_url, timeout=10).text
    forms = re.findall(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', page, re.S)
    action, inner = next((a, f) for a, f in forms if 'id="approve"' in f)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', inner))
    answer = requests.post(
        urljoin(approval_url, action.replace("&amp;", "&")), data=fields, timeout=10
    )
    return answer.text


def test_cancel_gives_the_code_back_at_once(client, priced_session, paypal_sandbox):
    code = make_code(priced_session.site, max_uses=1)
    back = approve_on_paypal(start(client, priced_session, promo_code="SAVE20"), "cancel")
    cancel_on_our_page(client, back)
    assert Payment.objects.get().status == "cancelled"
    assert PromoCode.objects.get(pk=code.pk).uses == 0


# --- attempt limits ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_counters():
    """The attempt counters live in the cache, which outlives a test run."""
    from django.core.cache import cache

    cache.clear()


def test_payment_attempts_are_limited_per_client(
    priced_session, paypal_sandbox, settings, django_assert_max_num_queries
):
    settings.PAYMENT_ATTEMPTS_PER_CLIENT = 2
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(2):
        assert (
            client.post(page_url(priced_session), form_data(client, priced_session)).status_code
            == 302
        )
    with django_assert_max_num_queries(12):
        refused = client.post(page_url(priced_session), form_data(client, priced_session))
    assert refused.status_code == 429
    assert "Too many payment attempts" in refused.content.decode()
    assert Payment.objects.count() == 2
    french = client.post(
        page_url(priced_session), form_data(client, priced_session), **FR
    ).content.decode()
    assert "Trop de tentatives de paiement" in french
    # Another client is not affected.
    other = Client(REMOTE_ADDR="203.0.113.11")
    assert other.post(page_url(priced_session), form_data(other, priced_session)).status_code == 302


def test_one_visitor_cannot_drain_a_code_from_many_addresses(
    priced_session, paypal_sandbox, settings
):
    settings.PAYMENT_ATTEMPTS_PER_CODE = 3
    code = make_code(priced_session.site, code="DRAIN", max_uses=10)
    answers = []
    for n in range(5):
        visitor = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        data = form_data(visitor, priced_session, action="pay_paypal", promo_code="drain")
        answers.append(visitor.post(page_url(priced_session), data).status_code)
    assert answers == [302, 302, 302, 429, 429]
    assert PromoCode.objects.get(pk=code.pk).uses == 3
    assert Payment.objects.count() == 3

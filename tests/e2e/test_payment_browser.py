"""An attendee pays in a real browser: by card with a promo code, and with PayPal."""

from datetime import date
from decimal import Decimal

import pytest

from payments.models import Payment
from promocodes.models import PromoCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attendee_pays_by_card_with_a_promo_code(page, live_server, priced_session, paypal_sandbox):
    PromoCode.objects.create(
        site=priced_session.site,
        code="SPRING25",
        service="events",
        discount_type="percent",
        discount_value=Decimal("25"),
        expires_on=date(2039, 1, 1),
        max_uses=5,
    )
    page.goto(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    assert page.get_by_text("TEST MODE — no real charge").is_visible()
    page.get_by_label("Promo code").fill("spring25")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#total").inner_text() == "$75.00"

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Your e-mail address").fill("ada@example.com")
    page.get_by_label("Card type").select_option("visa")
    page.get_by_label("Card number").fill("4111 1111 1111 1111")
    page.get_by_label("Expiry (mm/yy)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_label("Name on card").fill("Ada Lovelace")
    page.get_by_role("button", name="Pay $75.00").click()

    assert page.get_by_text("your payment is confirmed").is_visible()
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.amount == Decimal("75.00")
    assert page.locator("#reference").inner_text() == payment.gateway_reference


def go_to_paypal(page, live_server, priced_session, paypal_sandbox):
    """Fill the attendee's details, press *Pay with PayPal*, land on PayPal's approval page."""
    page.goto(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your e-mail address").fill("grace@example.com")
    page.get_by_role("button", name="Pay with PayPal").click()
    page.wait_for_url(f"{paypal_sandbox.base_url}/**")


def test_attendee_pays_with_paypal_through_the_approval_page(
    page, live_server, priced_session, paypal_sandbox
):
    go_to_paypal(page, live_server, priced_session, paypal_sandbox)
    page.locator("#approve").click()
    page.wait_for_url(f"{live_server.url}/pay/done/**")
    assert page.get_by_text("your payment is confirmed").is_visible()
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.method == "paypal"


def test_attendee_cancels_on_paypal_and_confirms_on_our_page(
    page, live_server, priced_session, paypal_sandbox
):
    """PayPal's cancel link lands on a page that changes nothing by itself; the attendee's
    own browser presses *Cancel this payment* (a POST) and is back on the payment page."""
    go_to_paypal(page, live_server, priced_session, paypal_sandbox)
    page.locator("#cancel").click()
    page.wait_for_url(f"{live_server.url}/pay/paypal/cancel/**")
    assert page.get_by_text("You left PayPal without paying.").is_visible()
    assert Payment.objects.get().status == "pending"
    page.get_by_role("button", name="Cancel this payment").click()
    page.wait_for_url(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    assert page.get_by_text("You cancelled the payment on PayPal.").is_visible()
    assert Payment.objects.get().status == "cancelled"
    assert paypal_sandbox.ledger() == []

"""An attendee pays in a real browser: by card with a promo code, and with PayPal."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Payment
from promocodes.models import PromoCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The payment page's labels as an attendee reads them (the French catalog's msgstr).
WORDS = {
    "en": {
        "name": "Your name",
        "email": "Your e-mail address",
        "card_type": "Card type",
        "card_number": "Card number",
        "expiry": "Expiry (mm/yy)",
        "security_code": "Security code",
        "name_on_card": "Name on card",
        "pay": "Pay",
        "confirmed": "your payment is confirmed",
    },
    "fr": {
        "name": "Votre nom",
        "email": "Votre adresse e-mail",
        "card_type": "Type de carte",
        "card_number": "Numéro de carte",
        "expiry": "Date d'expiration (mm/aa)",
        "security_code": "Code de sécurité",
        "name_on_card": "Nom sur la carte",
        "pay": "Payer",
        "confirmed": "votre paiement est confirmé",
    },
}


def fill_card(page, w: dict, name: str, email: str) -> None:
    """The attendee's details and a Visa test card, typed into the labelled fields."""
    page.get_by_label(w["name"]).fill(name)
    page.get_by_label(w["email"]).fill(email)
    page.get_by_label(w["card_type"]).select_option("visa")
    page.get_by_label(w["card_number"]).fill("4111 1111 1111 1111")
    page.get_by_label(w["expiry"]).fill("12/39")
    page.get_by_label(w["security_code"]).fill("123")
    page.get_by_label(w["name_on_card"]).fill(name)


def spring25(site) -> PromoCode:
    """25 % off Webex Events sessions, five uses."""
    return PromoCode.objects.create(
        site=site,
        code="SPRING25",
        service="events",
        discount_type="percent",
        discount_value=Decimal("25"),
        expires_on=date(2039, 1, 1),
        max_uses=5,
    )


def test_attendee_pays_by_card_with_a_promo_code(page, live_server, priced_session, paypal_sandbox):
    spring25(priced_session.site)
    page.goto(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    assert page.get_by_text("TEST MODE — no real charge").is_visible()
    page.get_by_label("Promo code").fill("spring25")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#total").inner_text() == "$75.00"

    fill_card(page, WORDS["en"], "Ada Lovelace", "ada@example.com")
    page.get_by_role("button", name="Pay $75.00").click()

    assert page.get_by_text("your payment is confirmed").is_visible()
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.amount == Decimal("75.00")
    assert page.locator("#reference").inner_text() == payment.gateway_reference


def go_to_paypal(page, live_server, priced_session, paypal_sandbox, promo_code: str = ""):
    """Fill the attendee's details (and ``promo_code``), press *Pay with PayPal*, land on
    PayPal's approval page."""
    page.goto(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your e-mail address").fill("grace@example.com")
    page.get_by_label("Promo code").fill(promo_code)
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
    own browser presses *Cancel this payment* (a POST) and is back on the payment page, with
    what they typed still there (issue 13, item 8)."""
    spring25(priced_session.site)
    go_to_paypal(page, live_server, priced_session, paypal_sandbox, promo_code="spring25")
    page.locator("#cancel").click()
    page.wait_for_url(f"{live_server.url}/pay/paypal/cancel/**")
    assert page.get_by_text("You left PayPal without paying.").is_visible()
    assert Payment.objects.get().status == "pending"
    page.get_by_role("button", name="Cancel this payment").click()
    page.wait_for_url(f"{live_server.url}/pay/{priced_session.site.slug}/{priced_session.pk}/")
    assert page.get_by_text("You cancelled the payment on PayPal.").is_visible()
    expect(page.get_by_label("Your name")).to_have_value("Grace Hopper")
    expect(page.get_by_label("Your e-mail address")).to_have_value("grace@example.com")
    expect(page.get_by_label("Promo code")).to_have_value("SPRING25")
    expect(page.locator("#total")).to_have_text("$75.00")
    assert Payment.objects.get().status == "cancelled"
    assert paypal_sandbox.ledger() == []

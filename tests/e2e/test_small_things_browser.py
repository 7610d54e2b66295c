"""Small things that looked careless, in a browser (issue 13, item 9).

The Training E-Commerce pages say when Training is turned off (and where to turn it on); page
controls show only when there is another page (promo code report, transactions report,
History), and do show from the 51st row; the login page's top bar names the product, not the
host. English and French where the words change. The password help of a never-saved provider
is in ``test_provider_pages_browser.py``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from payments.models import CommerceSettings, Payment, ProviderKind
from promocodes.models import PromoCode
from sites import history
from sites.models import Session
from tests import factories

from .conftest import switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "product": "Webex e-commerce",
        "off": "E-commerce is turned off for Webex Training",
        "turn_on": "Turn it on in Enable e-commerce",
        "on": "E-commerce is turned on for Webex Training",
        "training": "Webex Training",
        "update": "Update",
        "business_tab": "Business information",
    },
    "fr": {
        "product": "E-commerce Webex",
        "off": "L'e-commerce est désactivé pour Webex Training",
        "turn_on": "L'activer dans Activer l'e-commerce",
        "on": "L'e-commerce est activé pour Webex Training",
        "training": "Webex Training",
        "update": "Mise à jour",
        "business_tab": "Informations commerciales",
    },
}
PAGE_SIZE = 50  # rows per page of the three lists


@pytest.fixture(params=["en", "fr"])
def lang(request) -> str:
    return request.param


def test_the_login_page_names_the_product_not_the_host(page: Page, live_server, lang):
    page.goto(live_server.url + reverse("login"))
    if lang != "en":
        switch_language(page, lang)
    top_bar = page.get_by_role("navigation", name="Main" if lang == "en" else "Principal")
    expect(top_bar.locator(".navbar-brand")).to_have_text(WORDS[lang]["product"])
    host = live_server.url.split("//", 1)[1].split(":")[0]
    assert host not in top_bar.inner_text()


def test_training_pages_say_training_is_turned_off(
    page: Page, login, live_server, admin, site, lang
):
    w = WORDS[lang]
    login("alice", "pw-alice")
    page.goto(live_server.url + reverse("ecommerce-business", args=[site.slug, "training"]))
    if lang != "en":
        switch_language(page, lang)
    state = page.locator("[data-service-state]")
    expect(state).to_have_attribute("data-service-state", "off")
    expect(state).to_contain_text(w["off"])
    with page.expect_navigation():
        state.get_by_role("link", name=w["turn_on"]).click()
    page.get_by_label(w["training"], exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=w["update"], exact=True).click()
    assert CommerceSettings.for_site(site).training_enabled
    expect(state).to_have_attribute("data-service-state", "on")
    expect(state).to_contain_text(w["on"])
    page.get_by_role("link", name=w["business_tab"], exact=True).click()
    expect(state).to_contain_text(w["on"])


# --- Page controls only when there is another page ---------------------------------------


def add_codes(site, count: int, start: int = 0) -> None:
    PromoCode.objects.bulk_create(
        PromoCode(
            site=site,
            code=f"PAGE{n:04d}",
            service="events",
            discount_type="percent",
            discount_value=Decimal("10"),
            expires_on=site.today() + timedelta(days=30),
            max_uses=1,
        )
        for n in range(start, start + count)
    )


def add_payments(site, count: int, start: int = 0) -> None:
    session, _ = Session.objects.get_or_create(
        site=site,
        title="Launch keynote",
        defaults={"service": "events", "kind": "event_recording", "fee": Decimal("50.00")},
    )
    Payment.objects.bulk_create(
        factories.payment(
            session,
            attendee_name=f"Attendee {n}",
            attendee_email=f"attendee{n}@example.com",
            fee=Decimal("50.00"),
            amount=Decimal("50.00"),
            is_test=False,
            gateway_reference=f"PAGEREF{n:05d}",
        )
        for n in range(start, start + count)
    )


def add_history(site, admin, count: int) -> None:
    field = CommerceSettings._meta.get_field("provider")
    kinds = [ProviderKind.PAYFLOW_PRO, ProviderKind.EXPRESS_CHECKOUT_US]
    for n in range(count):
        change = history.field_change(field, kinds[n % 2], kinds[(n + 1) % 2])
        history.record(site, admin, "ecommerce.provider", [change])


def page_controls(page: Page):
    return page.get_by_role("navigation", name="Pages")


def assert_one_page_then_two(page: Page, url: str, rows: str, add_one, next_name: str) -> None:
    """``PAGE_SIZE`` rows: no page controls; one more row: the controls, and the next page
    holds it."""
    page.goto(url)
    expect(page.locator(rows)).to_have_count(PAGE_SIZE)
    expect(page_controls(page)).to_have_count(0)
    add_one()
    page.goto(url)
    expect(page.locator(rows)).to_have_count(PAGE_SIZE)
    expect(page_controls(page)).to_be_visible()
    with page.expect_navigation():
        page_controls(page).get_by_role("link", name=next_name).click()
    expect(page.locator(rows)).to_have_count(1)
    expect(page_controls(page)).to_be_visible()


def test_page_controls_show_only_when_there_is_another_page(
    page: Page, login, live_server, admin, site
):
    add_codes(site, PAGE_SIZE)
    add_payments(site, PAGE_SIZE)
    add_history(site, admin, PAGE_SIZE)
    login("alice", "pw-alice")
    rows, history_rows = "table.table-report tbody tr", "[data-history] tbody tr"
    lists = (
        (
            "promocode-report",
            [site.slug, "events"],
            rows,
            lambda: add_codes(site, 1, PAGE_SIZE),
            "Older",
        ),
        ("transactions", [site.slug], rows, lambda: add_payments(site, 1, PAGE_SIZE), "Next"),
        ("site-history", [site.slug], history_rows, lambda: add_history(site, admin, 1), "Next"),
    )
    for name, args, row, add_one, next_name in lists:
        url = live_server.url + reverse(name, args=args)
        assert_one_page_then_two(page, url, row, add_one, next_name)

"""The promo code Create page in a browser, English and French (issue 13, item 7).

Each group of the form has one heading (no field label repeating it); the page carries the
same seven E-Commerce tabs as the other E-Commerce pages; a created single code is shown
with a Copy button that puts it on the clipboard and a link to the report of this creation
only.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from promocodes.models import PromoCode

from .conftest import switch_language
from .test_provider_pages_browser import assert_axe_clean
from .test_walkthrough_procedures import LABELS, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "headings": [
            "Promo codes for",
            "Promo code type",
            "Promo code usage",
            "Discount",
            "Applicable to",
        ],
        "copy": "Copy",
        "copied": "Copied to the clipboard",
    },
    "fr": {
        "headings": [
            "Codes promotionnels pour",
            "Type de code promotionnel",
            "Utilisation du code promotionnel",
            "Remise",
            "Applicable à",
        ],
        "copy": "Copier",
        "copied": "Copié dans le presse-papiers",
    },
}


@pytest.fixture(params=["en", "fr"])
def lang(request) -> str:
    return request.param


def tab_names(page) -> list[str]:
    tabs = page.get_by_role("navigation", name="E-Commerce").get_by_role("link")
    return [name.strip() for name in tabs.all_inner_texts()]


def test_create_page_headings_tabs_and_the_created_code(
    page, login, live_server, admin, site, lang
):
    t, w = LABELS[lang], WORDS[lang]
    PromoCode.objects.create(
        site=site,
        code="OLDCODE",
        service="events",
        discount_type="percent",
        discount_value=Decimal("10"),
        expires_on=site.today() + timedelta(days=10),
        max_uses=1,
    )
    login("alice", "pw-alice")
    page.goto(live_server.url + reverse("ecommerce-enable", args=[site.slug, "events"]))
    if lang != "en":
        switch_language(page, lang)
    settings_tabs = tab_names(page)
    assert len(settings_tabs) == 7, settings_tabs

    with page.expect_navigation():
        page.get_by_role("link", name=t["promo_tab"], exact=True).click()
    expect(page.get_by_role("heading", name=t["create_heading"])).to_be_visible()
    # The same navigation as the settings pages, this page's tab marked current.
    assert tab_names(page) == settings_tabs
    expect(page.locator(".nav-tabs [aria-current=page]")).to_have_text(t["promo_tab"])
    # One heading per group: no label repeats it, with or without the required mark.
    form = page.locator("form[data-promocode-form]")
    for heading in w["headings"]:
        same = form.get_by_text(re.compile(rf"^\s*{re.escape(heading)}\s*\*?\s*$"))
        expect(same).to_have_count(1)
        assert same.evaluate("element => element.tagName") == "LEGEND", heading

    # A single code: shown on the confirmation, copied by the Copy button.
    page.get_by_label(t["single_code"]).check()
    field(page, t["custom_code"]).fill("SPRING-26")
    # The value's label says what it is for the chosen type, and follows the choice.
    page.get_by_label(t["fixed_amount"]).check()
    expect(field(page, t["amount_off"])).to_be_visible()
    expect(field(page, t["percent_off"])).to_have_count(0)
    page.get_by_label(t["percentage"]).check()
    expect(field(page, t["amount_off"])).to_have_count(0)
    field(page, t["percent_off"]).fill("20")
    field(page, t["expiration_date"]).fill((site.today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.get_by_role("button", name=t["create"], exact=True).click()
    expect(page.get_by_text(t["created_1"])).to_be_visible()
    assert tab_names(page) == settings_tabs
    expect(page.locator("#created-code")).to_have_text("SPRING-26")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name=w["copy"], exact=True).click()
    expect(page.locator("[data-copy-status]")).to_have_text(w["copied"])
    assert page.evaluate("() => navigator.clipboard.readText()") == "SPRING-26"
    assert_axe_clean(page)

    # The report of this creation: that code only, not the older one.
    page.get_by_role("link", name=t["show_codes"]).click()
    rows = page.locator("table.table-report tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("SPRING-26")
    expect(page.locator("table.table-report")).not_to_contain_text("OLDCODE")

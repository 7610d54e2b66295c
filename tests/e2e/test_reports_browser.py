"""Both reports in a browser, in English and French, at 1280×800 and 1024×768: the page never
scrolls sideways (a wide table scrolls inside its card), the Status column is on screen, the
charts are drawn. (Screenshots of the transactions dashboard and the promo insights at 1280×800
are the walkthrough's, ``test_13_history_and_charts_at_1280``.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment
from promocodes.models import PromoCode, PromoCodeUse
from sites.models import Session

from .conftest import ARTIFACTS, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 1024, "height": 768})
LONG = "Introduction to hybrid meetings with very long session titles"


def seed(site) -> None:
    """Payments and codes with long names, e-mails and titles, every outcome, both scopes."""
    session = Session.objects.create(
        site=site, title=LONG, service="events", kind="event_recording", fee=Decimal("50")
    )
    now = timezone.now()
    statuses = ["paid", "paid", "declined", "awaiting_paypal", "reversed", "cancelled"]
    for n in range(24):
        code = PromoCode.objects.create(
            site=site,
            service="events",
            code=f"SPRINGPROMO{n:04d}",
            recipient_name=f"Marie-Antoinette de la Fontaine-Beaumont {n}",
            recipient_email=f"marie.antoinette.fontaine.beaumont{n}@exemple-entreprise.fr",
            discount_type="percent",
            discount_value=Decimal("10"),
            expires_on=(now + timedelta(days=30)).date(),
            status=("active", "used_up", "expired", "deleted")[n % 4],
            uses=1 if n % 4 == 1 else 0,
            max_uses=1,
        )
        status = statuses[n % len(statuses)]
        use = None
        if n % 4 == 1:
            use = PromoCodeUse.objects.create(
                promo_code=code, session=session, reference=f"r{n}", created_at=now
            )
        Payment.objects.create(
            site=site,
            session=session,
            attendee_name=f"Bartholomew Alexander Featherstonehaugh {n}",
            attendee_email=f"bartholomew.featherstonehaugh{n}@a-very-long-company-name.example",
            fee=Decimal("50.00"),
            discount=Decimal("5.00") if use else Decimal("0.00"),
            amount=Decimal("45.00") if use else Decimal("50.00"),
            currency="USD" if n % 5 else "CAD",
            provider="payflow_pro",
            method="card" if n % 3 else "paypal",
            is_test=n % 2 == 0,
            status=status,
            paid_at=now if status in ("paid", "reversed") else None,
            reversed_amount=Decimal("50.00") if status == "reversed" else Decimal("0.00"),
            card_brand="Visa",
            card_last4="1111",
            gateway_reference=f"A1B2C3D4E5F6G{n:03d}",
            promo_code=code if use else None,
            promo_use=use,
        )
        Payment.objects.filter(site=site, attendee_name__endswith=f" {n}").update(
            created_at=now - timedelta(days=n * 3)
        )


def check_fits(page, label: str) -> None:
    page.wait_for_load_state()
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{label}: the page scrolls sideways {overflow}"
    width = page.viewport_size["width"]
    header = page.locator("[data-status-column]")
    box = header.bounding_box()
    assert header.is_visible() and box is not None, label
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{label}: Status off screen {box}"
    badge = page.locator("table.table-report tbody .badge").first.bounding_box()
    assert badge is not None and badge["x"] + badge["width"] <= width, f"{label}: badge {badge}"


def test_reports_fit_in_both_languages_and_sizes(page, login, live_server, admin, site):
    seed(site)
    login("alice", "pw-alice")
    transactions = live_server.url + reverse("transactions", args=[site.slug]) + "?scope=all"
    promos = live_server.url + reverse("promocode-report", args=[site.slug, "events"])
    for language in ("en", "fr"):
        page.goto(transactions)
        switch_language(page, language)
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for url, name in ((transactions, "transactions"), (promos, "promo codes")):
                page.goto(url)
                check_fits(page, f"{name} {language} {viewport['width']}")
                assert page.locator("figure.chart svg").count() >= 3
                assert page.locator("[data-chart-table]").count() >= 3


# Where each line of a cell's rendered text begins: the text so far and the offsets at which a
# character sits lower than the one before it.
LINE_STARTS = """cell => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let text = "", top = null;
  const starts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect && top !== null && rect.top > top + 1) { starts.push(text.length); }
      if (rect) { top = rect.top; }
      text += node.data[i];
    }
  }
  return { text, starts };
}"""


def assert_breaks_between_words(cell, label: str) -> str:
    """The address in ``cell`` is whole, and wraps only after its "@" or before a "."."""
    shown = cell.evaluate(LINE_STARTS)
    text = shown["text"].strip()
    assert "@" in text and " " not in text, f"{label}: {text!r}"
    for start in shown["starts"]:
        assert shown["text"][start - 1] == "@" or shown["text"][start] == ".", (
            f"{label}: {shown['text']!r} wraps inside a word at {start}"
        )
    return text


def test_long_emails_wrap_only_after_the_at_sign_or_before_a_dot(
    page, login, live_server, admin, site
):
    """At 1280x800 the promo report's table fits in its card, every e-mail address reads whole
    (the cell's text is the address, for screen readers and copying too) and breaks only at
    "@" or "."; the same for the attendees' addresses of the transactions report.
    Screenshots: test-artifacts/promo-report-emails-<lang>.png."""
    seed(site)
    login("alice", "pw-alice")
    page.set_viewport_size({"width": 1280, "height": 800})
    promos = live_server.url + reverse("promocode-report", args=[site.slug, "events"])
    transactions = live_server.url + reverse("transactions", args=[site.slug]) + "?scope=all"
    for language in ("en", "fr"):
        page.goto(promos)
        switch_language(page, language)
        page.wait_for_load_state()
        card = page.locator(".table-responsive:has(table.table-report)")
        sizes = card.evaluate("box => [box.scrollWidth, box.clientWidth]")
        assert sizes[0] <= sizes[1], f"promo report {language}: the table overflows {sizes}"
        cells = page.locator("table.table-report tbody td.email")
        assert cells.count() == 24
        wrapped = 0
        for n in range(cells.count()):
            text = assert_breaks_between_words(cells.nth(n), f"promo report {language}")
            assert PromoCode.objects.filter(site=site, recipient_email=text).exists(), text
            wrapped += bool(cells.nth(n).evaluate(LINE_STARTS)["starts"])
        assert wrapped, "no address was long enough to wrap: the test proves nothing"
        ARTIFACTS.mkdir(exist_ok=True)
        card.evaluate('box => box.scrollIntoView({behavior: "instant"})')  # header row on top
        page.screenshot(path=str(ARTIFACTS / f"promo-report-emails-{language}.png"))
        page.goto(transactions)
        for cell in page.locator("table.table-report tbody .email").all():
            assert_breaks_between_words(cell, f"transactions {language}")


def test_no_live_payment_link_shows_the_test_payments(page, login, live_server, admin, site):
    seed(site)
    Payment.objects.filter(site=site, is_test=False).delete()
    login("alice", "pw-alice")
    page.goto(live_server.url + reverse("transactions", args=[site.slug]))
    notice = page.locator("[data-empty-reason]")
    assert "No live payment matches yet — 12 test payments do." in notice.inner_text()
    notice.get_by_role("link", name="Show the 12 test payments").click()
    page.wait_for_load_state()
    assert page.locator("tbody [data-test-marker]").count() == 12
    assert page.locator("[data-dashboard] svg").count() >= 3

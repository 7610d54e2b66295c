"""E-mails in the reader's language, sent by a real Celery worker (issue 13, item 6).

A receipt is written in the language of the page the attendee paid on, whatever the site's
language; a promo code e-mail in the language chosen on the Create page, which starts at the
site's language. Both come from the site's business name and support information.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from payments.models import CommerceSettings, Payment

from .conftest import switch_language
from .test_payment_browser import WORDS, fill_card
from .test_walkthrough_procedures import LABELS, field

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BUSINESS = "Acme Événements"
SUPPORT = "help@acme.example"

# What each e-mail says, in each language (the French catalog's msgstr, cut before any
# punctuation that French typography spaces).
RECEIPT = {
    "en": {
        "subject": f"Your receipt from {BUSINESS}",
        "thanks": f"Thank you for your payment to {BUSINESS}.",
        "paid": "Amount paid",
        "questions": "Questions about this payment",
        "foreign": "Merci",
    },
    "fr": {
        "subject": f"Votre reçu de {BUSINESS}",
        "thanks": f"Merci pour votre paiement à {BUSINESS}.",
        "paid": "Montant payé",
        "questions": "Des questions sur ce paiement",
        "foreign": "Thank you",
    },
}
CODE_EMAIL = {
    "en": {
        "subject": f"Your promo code from {BUSINESS}",
        "sends": f"{BUSINESS} sends you a promotional code for Webex Events",
        "questions": "Questions",
        "foreign": "Bonjour",
    },
    "fr": {
        "subject": f"Votre code promotionnel de {BUSINESS}",
        "sends": f"{BUSINESS} vous envoie un code promotionnel pour Webex Events",
        "questions": "Des questions",
        "foreign": "Hello",
    },
}


def plain(text: str) -> str:
    """``text`` with the non-breaking spaces of French typography read as spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pay_by_card(page, live_server, session, lang: str, email: str) -> Payment:
    """An attendee opens the payment page, reads it in ``lang`` and pays by card."""
    w = WORDS[lang]
    page.goto(f"{live_server.url}/pay/{session.site.slug}/{session.pk}/")
    if page.locator("html").get_attribute("lang") != lang:
        switch_language(page, lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    fill_card(page, w, "Camille Martin", email)
    pay = page.locator("button[value=pay_card]")
    assert pay.inner_text().startswith(w["pay"] + " ")
    pay.click()
    expect(page.get_by_text(w["confirmed"])).to_be_visible()
    return Payment.objects.get(attendee_email=email)


def assert_receipt(message, lang: str, payment: Payment) -> None:
    words = RECEIPT[lang]
    subject, body = plain(message["Subject"]), plain(message.get_content())
    assert words["subject"] in subject, subject
    assert words["thanks"] in body and words["paid"] in body, body
    assert words["questions"] in body and SUPPORT in body, body
    assert payment.reference in body
    assert words["foreign"] not in subject + body, body


def test_each_attendee_gets_the_receipt_in_the_language_of_their_page(
    page, live_server, priced_session, paypal_sandbox, mail_worker
):
    site = priced_session.site
    CommerceSettings.objects.filter(site=site).update(business_name=BUSINESS)

    # An English site; the attendee reads the payment page in French: a French receipt.
    assert site.language == "en"
    french = pay_by_card(page, live_server, priced_session, "fr", "camille@example.fr")
    assert french.language == "fr"
    [receipt] = mail_worker(1)
    assert receipt["To"] == "camille@example.fr"
    assert_receipt(receipt, "fr", french)

    # A French site; the attendee reads the page in English: an English receipt.
    site.language = "fr"
    site.save()
    english = pay_by_card(page, live_server, priced_session, "en", "casey@example.com")
    [_, receipt] = mail_worker(2)
    assert receipt["To"] == "casey@example.com"
    assert_receipt(receipt, "en", english)


def create_code_for(page, t: dict, code: str, email: str, expires, language: str = "") -> None:
    """The Create page, a single code for one recipient (the e-mails' language left as the
    page offers it unless ``language`` is given)."""
    page.get_by_label(t["single_code"]).check()
    field(page, t["custom_code"]).fill(code)
    field(page, "Recipient name").fill("Camille")
    field(page, "Email address").fill(email)
    if language:
        field(page, "Language of the e-mails").select_option(language)
    page.get_by_label(t["percentage"]).check()
    field(page, t["percent_off"]).fill("15")
    field(page, t["expiration_date"]).fill(expires.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.get_by_role("button", name=t["create"], exact=True).click()
    expect(page.get_by_text(t["created_1"])).to_be_visible()


def test_a_code_e_mail_is_written_in_the_language_chosen_on_the_create_page(
    page, login, live_server, admin, shop, mail_worker
):
    """The administrator reads the console in English; the site speaks French, so the
    Create page offers French for the e-mails: the recipient gets French. Choosing English
    gives English."""
    site = shop
    site.language = "fr"
    site.save()
    CommerceSettings.objects.filter(site=site).update(business_name=BUSINESS)
    t = LABELS["en"]
    expires = site.today() + timedelta(days=30)
    create = live_server.url + reverse("promocode-create", args=[site.slug, "events"])
    login("alice", "pw-alice")
    page.goto(create)
    expect(field(page, "Language of the e-mails")).to_have_value("fr")
    create_code_for(page, t, "BIENVENUE", "camille@example.fr", expires)
    mail_worker(1)

    page.goto(create)
    create_code_for(page, t, "WELCOME", "casey@example.com", expires, language="en")
    messages = {m["To"]: m for m in mail_worker(2)}

    sent = (("fr", "camille@example.fr", "BIENVENUE"), ("en", "casey@example.com", "WELCOME"))
    for lang, email, code in sent:
        words = CODE_EMAIL[lang]
        subject, body = plain(messages[email]["Subject"]), plain(messages[email].get_content())
        assert words["subject"] in subject, subject
        assert words["sends"] in body and code in body, body
        assert words["questions"] in body and SUPPORT in body, body
        assert words["foreign"] not in body, body

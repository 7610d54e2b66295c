"""The provider pages as an administrator lives in them (issue 13: items 2, 3, 5 and 9).

Choosing the provider of the payment page is its own confirmed step; card ticks survive a
trip through other account types; *Test connection* answers in the reader's language with
PayPal's own words on demand; the password field mentions a saved password only when there is
one. English and French where the words change.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from payments.models import CommerceSettings, PayflowAccount
from sites.models import Revision
from tests.e2e.test_accessibility import blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "update": "Update",
        "saved": "Your changes have been saved.",
        "still_pays": "Attendees still pay with PayPal Payflow Pro.",
        "use": "Use this provider for payments",
        "use_heading": "Use PayPal Website Payments Pro (GB) for payments?",
        "no_card": "No card payment",
        "no_paypal": "No PayPal button",
        "test_mode": "Test mode: payments go to PayPal's test servers; no real money moves.",
        "incomplete_here": "These settings are incomplete",
        "cancel": "Cancel",
        "now_pays": "Attendees now pay with PayPal Website Payments Pro (GB).",
        "incomplete": "The payment page uses PayPal Website Payments Pro (GB), whose settings",
        "business_tab": "Business information",
        "payment_page_tab": "Payment page",
        "preview_incomplete": "PayPal Website Payments Pro (GB) is incomplete",
        "missing_password": "Missing: Merchant/Vendor login ID, User name, Password.",
        "test_connection": "Test connection",
        "accepted": "PayPal accepted these credentials (test servers).",
        "refused": "PayPal refused the user name or password (user authentication failed).",
        "answer": "PayPal's answer",
        "password": "Password",
        "keep": "Leave empty to keep",
        "saved_password": "A password is saved. Leave empty to keep it",
    },
    "fr": {
        "update": "Mise à jour",
        "saved": "Vos modifications ont été enregistrées.",
        "still_pays": "Les participants paient toujours avec PayPal Payflow Pro.",
        "use": "Utiliser ce fournisseur pour les paiements",
        "use_heading": (
            "Utiliser PayPal Website Payments Pro (Royaume-Uni) pour les paiements\u00a0?"
        ),
        "no_card": "Pas de paiement par carte",
        "no_paypal": "Pas de bouton PayPal",
        "test_mode": "Mode test\u00a0: les paiements vont aux serveurs de test de PayPal",
        "incomplete_here": "Ces réglages sont incomplets",
        "cancel": "Annuler",
        "now_pays": "Les participants paient désormais avec PayPal Website Payments Pro "
        "(Royaume-Uni).",
        "incomplete": "La page de paiement utilise PayPal Website Payments Pro (Royaume-Uni), "
        "dont les réglages",
        "business_tab": "Informations commerciales",
        "payment_page_tab": "Page de paiement",
        "preview_incomplete": "PayPal Website Payments Pro (Royaume-Uni) est incomplet",
        "missing_password": "Mot de passe",
        "test_connection": "Tester la connexion",
        "accepted": "PayPal a accepté ces identifiants (serveurs de test).",
        "refused": "PayPal a refusé le nom d'utilisateur ou le mot de passe",
        "answer": "Réponse de PayPal",
        "password": "Mot de passe",
        "keep": "Laissez vide pour",
        "saved_password": "Un mot de passe est enregistré. Laissez vide pour le conserver",
    },
}


@pytest.fixture(params=["en", "fr"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def w(lang) -> dict:
    return WORDS[lang]


@pytest.fixture
def admin_page(page: Page, login, live_server, admin, site, lang) -> Page:
    """Alice, signed in, reading the console in ``lang``."""
    login("alice", "pw-alice")
    page.wait_for_load_state()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    return page


def provider_url(live_server, site, kind: str) -> str:
    return f"{live_server.url}/s/{site.slug}/events/ecommerce/provider/{kind}/"


def flash(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def update(page: Page, w: dict) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=w["update"], exact=True).click()


def assert_axe_clean(page: Page) -> None:
    """No serious or critical axe violation on the page as it is now (see test_accessibility).

    Colours are read once settled: with reduced motion Bootstrap draws no transition, so a
    button just clicked (still under the mouse) is not caught half-way to its hover colour."""
    from axe_playwright_python.sync_playwright import Axe

    page.emulate_media(reduced_motion="reduce")

    assert blocking_violations(Axe(), page) == []


def visible_ticks(page: Page) -> list[str]:
    return [
        box.get_attribute("value")
        for box in page.locator('input[name="cards"]').all()
        if box.is_visible() and box.is_checked()
    ]


# --- 13.2: no silent provider switch -------------------------------------------------------


def test_saving_keeps_the_active_provider_and_using_one_is_confirmed(
    admin_page, w, live_server, site
):
    page = admin_page
    PayflowAccount.objects.create(
        site=site,
        kind="payflow_pro",
        vendor="acmedemo",
        user="acmedemo",
        password="pilot-pass-1",
        account_type="payflow_pro",
        cards=["visa"],
        currency="USD",
    )
    CommerceSettings.objects.update_or_create(site=site, defaults={"provider": "payflow_pro"})

    # An incomplete Website Payments Pro (GB): saved, and the payment page keeps Payflow Pro.
    page.goto(provider_url(live_server, site, "website_payments_pro_gb"))
    page.locator("select[name=account_type]").select_option("wpp_payflow_edition")
    update(page, w)
    expect(flash(page, w["saved"])).to_be_visible()
    expect(flash(page, w["still_pays"])).to_be_visible()
    assert CommerceSettings.for_site(site).provider == "payflow_pro"

    # The confirmation says what attendees would see; Cancel changes nothing.
    page.get_by_role("link", name=w["use"], exact=True).click()
    expect(page.get_by_role("heading", level=2, name=w["use_heading"])).to_be_visible()
    seen = page.locator("#attendee-view")
    expect(seen).to_contain_text(w["no_card"])
    expect(seen).to_contain_text(w["no_paypal"])
    expect(seen).to_contain_text(w["test_mode"])
    expect(page.locator("#use-incomplete")).to_contain_text(w["incomplete_here"])
    assert_axe_clean(page)
    page.get_by_role("link", name=w["cancel"], exact=True).click()
    expect(page.get_by_role("link", name=w["use"], exact=True)).to_be_visible()
    assert CommerceSettings.for_site(site).provider == "payflow_pro"

    page.get_by_role("link", name=w["use"], exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name=w["use"], exact=True).click()
    expect(flash(page, w["now_pays"])).to_be_visible()
    assert CommerceSettings.for_site(site).provider == "website_payments_pro_gb"
    switch = Revision.objects.for_site(site).get(area="ecommerce.provider")
    assert (switch.changes[0]["old"], switch.changes[0]["new"]) == (
        "payflow_pro",
        "website_payments_pro_gb",
    )

    # The incomplete provider in use is announced on the tabs and in the preview.
    warning = page.locator("[data-incomplete-provider]")
    expect(warning).to_contain_text(w["incomplete"])
    page.get_by_role("link", name=w["business_tab"], exact=True).click()
    expect(warning).to_contain_text(w["incomplete"])
    expect(warning).to_contain_text(w["missing_password"])
    page.get_by_role("link", name=w["payment_page_tab"], exact=True).click()
    expect(page.locator("#payment-page-preview [data-preview-incomplete]")).to_contain_text(
        w["preview_incomplete"]
    )
    assert_axe_clean(page)


# --- 13.3: card choices are not lost --------------------------------------------------------


def test_card_ticks_come_back_per_account_type_and_stay_saved(
    page, login, live_server, admin, site
):
    login("alice", "pw-alice")  # no words here: English only
    page.wait_for_load_state()
    page.goto(provider_url(live_server, site, "website_payments_pro_gb"))
    account_type = page.locator("select[name=account_type]")
    account_type.select_option("wpp_payflow_edition")
    page.locator("input[value=visa_debit_electron]").check()
    page.locator("input[name=cards][value=mastercard]").check()
    account_type.select_option("website_payments_pro")
    assert visible_ticks(page) == []
    account_type.select_option("wpp_payflow_edition")
    assert visible_ticks(page) == ["mastercard", "visa_debit_electron"]

    # Saved, then saved again with the type that hides them: the cards stay saved, come back.
    save = page.locator("#provider-form button[type=submit]")
    with page.expect_navigation():
        save.click()
    assert sorted(PayflowAccount.objects.get(site=site).cards) == [
        "mastercard",
        "visa_debit_electron",
    ]
    page.locator("select[name=account_type]").select_option("website_payments_pro")
    with page.expect_navigation():
        save.click()
    account = PayflowAccount.objects.get(site=site)
    assert account.account_type == "website_payments_pro"
    assert sorted(account.cards) == ["mastercard", "visa_debit_electron"]
    page.locator("select[name=account_type]").select_option("wpp_payflow_edition")
    assert visible_ticks(page) == ["mastercard", "visa_debit_electron"]

    # Payflow Pro: each account type keeps its own last ticks, and the Express Checkout option.
    page.goto(provider_url(live_server, site, "payflow_pro"))
    account_type = page.locator("select[name=account_type]")
    account_type.select_option("payflow_pro")
    for card in ("visa", "diners"):
        page.locator(f"input[name=cards][value={card}]").check()
    express = page.locator("input[name=express_checkout]")
    express.check()
    account_type.select_option("payments_pro_payflow_edition")
    assert visible_ticks(page) == ["visa"]  # a type not shown yet starts from the ticks so far
    page.locator("input[name=cards][value=amex]").check()
    account_type.select_option("website_payments_pro")
    account_type.select_option("payments_pro_payflow_edition")
    assert visible_ticks(page) == ["visa", "amex"]
    account_type.select_option("payflow_pro")
    assert visible_ticks(page) == ["visa", "diners"]
    expect(express).to_be_checked()


# --- 13.5: Test connection speaks people ------------------------------------------------------


def test_test_connection_answers_in_the_readers_words(
    admin_page, w, live_server, site, paypal_sandbox
):
    page = admin_page
    PayflowAccount.objects.create(
        site=site,
        kind="payflow_pro",
        vendor="acmedemo",
        user="acmedemo",
        password="pilot-pass-1",
        account_type="payflow_pro",
        cards=["visa"],
        currency="USD",
    )
    page.goto(provider_url(live_server, site, "payflow_pro"))
    page.get_by_role("button", name=w["test_connection"]).click()
    result = flash(page, w["accepted"])
    expect(result).to_be_visible()
    assert "Original transaction" not in result.inner_text()  # PayPal's words: on demand
    details = result.locator("details")
    expect(details.locator("summary")).to_have_text(w["answer"])
    expect(details.locator("code")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator("code")).to_have_text("RESULT=19 — Original transaction ID not found")

    page.get_by_label(w["password"]).fill("not-the-password")
    update(page, w)
    page.get_by_role("button", name=w["test_connection"]).click()
    refused = page.get_by_role("status").filter(has_text=w["refused"])
    expect(refused).to_be_visible()
    refused.locator("summary").click()
    expect(refused.locator("code")).to_have_text("RESULT=1 — User authentication failed")
    assert_axe_clean(page)


# --- 13.9: the password field says only what is true ---------------------------------------


def test_password_help_mentions_a_saved_password_only_when_there_is_one(
    admin_page, w, live_server, site
):
    page = admin_page
    page.goto(provider_url(live_server, site, "website_payments_pro_gb"))
    form = page.locator("#provider-form")
    expect(form).not_to_contain_text(w["keep"])
    page.get_by_label(w["password"]).fill("pilot-pass-uk")
    update(page, w)
    expect(flash(page, w["saved"])).to_be_visible()
    expect(form).to_contain_text(w["saved_password"])
    expect(page.get_by_label(w["password"])).to_have_value("")

"""The administrator's procedures, followed in a browser as a site administrator would.

Each test is one procedure of the administrator's guide (``docs/administrators.md``, written
from Webex's French help article), in the guide's order, run once in English and once in
French: the administrator logs in, picks the language in the navbar, then clicks the links
and buttons by their visible labels. The French labels are the catalog's
(``locale/fr/LC_MESSAGES/django.po``), which uses the help article's words ("Mise à jour",
"Configurer", "Afficher le rapport", …); a wrong or missing translation fails here. The last
test is an organizer reading both reports, with no action controls; the one before it is the
administrator looking at History, the transactions dashboard and the promo code insights at
1280×800, whose screenshots it saves under ``test-artifacts/`` (``<page>-<lang>.png``).

Assertions are on what the user sees (flash messages with role=status, table cells, checkbox
states) and on the database where that proves the effect.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from payments.models import (
    CommerceSettings,
    ExpressCheckoutAccount,
    PayflowAccount,
    Payment,
)
from promocodes import tasks as promo_tasks
from promocodes.models import PromoCode
from promocodes.params import CreationParams

from .conftest import ARTIFACTS
from .test_history_browser import seed as seed_history
from .test_reports_browser import seed as seed_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr"]

# The visible labels, English and French (msgstr of the French catalog).
LABELS = {
    "en": {
        "events_ecommerce": "Webex Events › E-Commerce",
        "training_ecommerce": "Webex Training › E-Commerce",
        "events_service": "Webex Events (classic)",
        "training_service": "Webex Training",
        "shared_note": "This configuration is shared with Webex Training",
        "update": "Update",
        "enable_tab": "Enable e-commerce",
        "saved": "Your changes have been saved.",
        "mode_tab": "Operation mode",
        "test": "Test",
        "production": "Production",
        "colon": ":",  # between a label and what it says
        "not_ready": "Production mode cannot be turned on yet:",
        "before_production": "Before switching to Production:",
        "no_business_name": "Enter the business name shown to attendees.",
        "no_provider": "Choose and configure a payment provider.",
        "no_card": "Tick at least one card type.",
        "provider_tab": "Payment provider",
        "configure": "Configure",
        "payflow_pro": "PayPal Payflow Pro",
        "ec_us": "PayPal Express Checkout (US)",
        "ec_ca": "PayPal Express Checkout (Canada)",
        "wpp_gb": "PayPal Website Payments Pro (GB)",
        "partner": "Partner ID",
        "vendor": "Merchant/Vendor login ID",
        "user": "User name",
        "password": "Password",
        "account_type": "Account type",
        "type_wpp": "Website Payments Pro",
        "type_pro_payflow_edition": "PayPal Payments Pro or Website Payments Pro Payflow Edition",
        "type_payflow_pro": "Payflow Pro",
        "type_wpp_payflow_edition": "Website Payments Pro Payflow Edition",
        "visa_debit_electron": "Visa/Debit/Electron",
        "express_checkout": "Express Checkout",
        "currency": "Currency",
        "paypal_email": "PayPal login email",
        "grant": "Grant API permission to Webex",
        "continue_to_paypal": "Continue to PayPal",
        "permission_granted": "Permission granted.",
        "not_granted": "Not granted",
        "permission_granted_on": "Permission granted on",
        "active": "Active",
        "test_connection": "Test connection",
        "connection_works": "PayPal accepted these credentials (test servers).",
        "paypal_answer": "PayPal's answer",
        "use_provider": "Use this provider for payments",
        "use_heading": "Use {provider} for payments?",
        "now_pays": "Attendees now pay with {provider}.",
        "pays_here": "Attendees pay with this provider.",
        "incomplete": "The payment page uses {provider}, whose settings are incomplete",
        "promo_tab": "Promotional codes",
        "create_heading": "Create promotional codes",
        "promo_for": "Promo codes for",
        "system_generated": "System generated",
        "single_code": "Single promo code",
        "quantity": "Number of codes",
        "code_length": "Promo code length",
        "custom_code": "Promo code",
        "times": "A number of times",
        "max_uses": "Number of times",
        "percentage": "Percentage",
        "fixed_amount": "Fixed amount",
        "percent_off": "Percent off",
        "amount_off": "Amount off",
        "expiration_date": "Expiration date",
        "create": "Create",
        "created_3": "3 promotional codes created.",
        "created_1": "1 promotional code created.",
        "show_codes": "Show these codes in the report",
        "create_more": "Create more",
        "report": "Promotional Codes Report",
        "reports": "Reports",
        "site_nav": "Site",
        "status": "Status",
        "all": "All",
        "show_report": "Show report",
        "code": "Code",
        "uses": "Uses",
        "select": "Select {code}",
        "select_page": "Select every code of this page",
        "extend": "Extend expiration date",
        "extend_until": "Extend until (dd/mm/yyyy)",
        "extended_2": "2 promotional codes extended until {date}.",
        "extended_1": "1 promotional code extended until {date}.",
        "skipped_1": "1 deleted code was skipped: a deleted code cannot be extended.",
        "delete": "Delete promotional codes",
        "deleted_1": "1 promotional code deleted.",
        "deleted": "Deleted",
        "business_tab": "Business information",
        "business_name": "Business name",
        "support_info": "Support info",
        "support_invalid": "Enter an e-mail address or a phone number",
        "payment_page_tab": "Payment page",
        "header": "Header",
        "footer": "Footer",
        "preview": "Preview",
        "questions": "Questions about this payment? Contact",
        "transactions": "Transactions report",
        "payments_scope": "Payments",
        "live_and_test": "Live and test payments",
        "paid": "Paid",
        "delete_test": "Delete test payments",
        "refund": "Refund",
        "configuration": "Configuration",
        "history": "History",
    },
    "fr": {
        "events_ecommerce": "Webex Events › E-Commerce",
        "training_ecommerce": "Webex Training › E-Commerce",
        "events_service": "Webex Events (classique)",
        "training_service": "Webex Training",
        "shared_note": "Cette configuration est partagée avec Webex Training",
        "update": "Mise à jour",
        "enable_tab": "Activer l'e-commerce",
        "saved": "Vos modifications ont été enregistrées.",
        "mode_tab": "Mode de fonctionnement",
        "test": "Test",
        "production": "Production",
        "colon": "\u00a0:",
        "not_ready": "Le mode Production ne peut pas encore être activé\u00a0:",
        "before_production": "Avant de passer en Production\u00a0:",
        "no_business_name": "Saisissez le nom commercial affiché aux participants.",
        "no_provider": "Choisissez et configurez un fournisseur de paiement.",
        "no_card": "Cochez au moins un type de carte.",
        "provider_tab": "Fournisseur de paiement",
        "configure": "Configurer",
        "payflow_pro": "PayPal Payflow Pro",
        "ec_us": "PayPal Express Checkout (États-Unis)",
        "ec_ca": "PayPal Express Checkout (Canada)",
        "wpp_gb": "PayPal Website Payments Pro (Royaume-Uni)",
        "partner": "Identifiant du partenaire",
        "vendor": "ID de connexion du commerçant/fournisseur",
        "user": "Nom d'utilisateur",
        "password": "Mot de passe",
        "account_type": "Type de compte",
        "type_wpp": "Website Payments Pro",
        "type_pro_payflow_edition": "PayPal Payments Pro ou Website Payments Pro Payflow Edition",
        "type_payflow_pro": "Payflow Pro",
        "type_wpp_payflow_edition": "Website Payments Pro Payflow Edition",
        "visa_debit_electron": "Visa/Débit/Electron",
        "express_checkout": "Achat express (Express Checkout)",
        "currency": "Devise",
        "paypal_email": "Adresse e-mail de connexion PayPal",
        "grant": "Accorder la permission API à Webex",
        "continue_to_paypal": "Continuer vers PayPal",
        "permission_granted": "Permission accordée.",
        "not_granted": "Non accordée",
        "permission_granted_on": "Permission accordée le",
        "active": "Actif",
        "test_connection": "Tester la connexion",
        "connection_works": "PayPal a accepté ces identifiants (serveurs de test).",
        "paypal_answer": "Réponse de PayPal",
        "use_provider": "Utiliser ce fournisseur pour les paiements",
        "use_heading": "Utiliser {provider} pour les paiements\u00a0?",
        "now_pays": "Les participants paient désormais avec {provider}.",
        "pays_here": "Les participants paient avec ce fournisseur.",
        "incomplete": "La page de paiement utilise {provider}, dont les réglages sont incomplets",
        "promo_tab": "Codes promotionnels",
        "create_heading": "Créer des codes promotionnels",
        "promo_for": "Codes promotionnels pour",
        "system_generated": "Généré par le système",
        "single_code": "Code promotionnel unique",
        "quantity": "Nombre de codes",
        "code_length": "Longueur du code promotionnel",
        "custom_code": "Code promotionnel",
        "times": "Un certain nombre de fois",
        "max_uses": "Nombre de fois",
        "percentage": "Pourcentage",
        "fixed_amount": "Montant fixe",
        "percent_off": "Taux de remise",
        "amount_off": "Montant de la remise",
        "expiration_date": "Date d'expiration",
        "create": "Créer",
        "created_3": "3 codes promotionnels créés.",
        "created_1": "1 code promotionnel créé.",
        "show_codes": "Afficher ces codes dans le rapport",
        "create_more": "En créer d'autres",
        "report": "Rapport des codes promotionnels",
        "reports": "Rapports",
        "site_nav": "Site",
        "status": "Statut",
        "all": "Tous",
        "show_report": "Afficher le rapport",
        "code": "Code",
        "uses": "Utilisations",
        "select": "Sélectionner {code}",
        "select_page": "Sélectionner tous les codes de cette page",
        "extend": "Prolonger la date d'expiration",
        "extend_until": "Prolonger jusqu'au (jj/mm/aaaa)",
        "extended_2": "2 codes promotionnels prolongés jusqu'au {date}.",
        "extended_1": "1 code promotionnel prolongé jusqu'au {date}.",
        "skipped_1": (
            "1 code supprimé a été ignoré\u00a0: un code supprimé ne peut pas être prolongé."
        ),
        "delete": "Supprimer les codes promotionnels",
        "deleted_1": "1 code promotionnel supprimé.",
        "deleted": "Supprimé",
        "business_tab": "Informations commerciales",
        "business_name": "Nom commercial",
        "support_info": "Infos sur l'assistance",
        "support_invalid": "Saisissez une adresse e-mail ou un numéro de téléphone",
        "payment_page_tab": "Page de paiement",
        "header": "En-tête",
        "footer": "Pied de page",
        "preview": "Aperçu",
        "questions": "Des questions sur ce paiement\u00a0? Contactez",
        "transactions": "Rapport des transactions",
        "payments_scope": "Paiements",
        "live_and_test": "Paiements réels et de test",
        "paid": "Payé",
        "delete_test": "Supprimer les paiements de test",
        "refund": "Rembourser",
        "configuration": "Configuration",
        "history": "Historique",
    },
}


@pytest.fixture(params=LANGUAGES)
def lang(request) -> str:
    return request.param


@pytest.fixture
def t(lang):
    return LABELS[lang]


def dmy(value) -> str:
    return value.strftime("%d/%m/%Y")


def field(page: Page, label: str):
    """The input labelled ``label`` (crispy may append "*" to a required field's label)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def flash(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def choose_language(page: Page, lang: str) -> None:
    """The navbar's language selector submits itself on change (static/js/console.js)."""
    if lang != "en":
        with page.expect_navigation():
            page.get_by_label("Language").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.fixture
def admin_in(page, login, live_server, admin, site, lang):
    """Step 1 of every procedure: log in to Site Administration, in the chosen language."""
    login("alice", "pw-alice")
    expect(page.get_by_role("heading", name=site.name, level=1)).to_be_visible()
    choose_language(page, lang)
    return page


def open_ecommerce(page: Page, t: dict, service: str = "events") -> None:
    """Configuration › Webex Events (or Training) › E-Commerce, from the site navigation."""
    page.get_by_role("link", name=t[f"{service}_ecommerce"]).first.click()
    heading = t[f"{service}_service"] + " › E-Commerce"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def open_tab(page: Page, name: str, lands_on: str | None = None) -> None:
    """Click a tab of the E-Commerce page; the tab it lands on is marked current."""
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()
    current = page.locator(".nav-tabs [aria-current=page]")
    expect(current).to_have_text(lands_on or name)


def update(page: Page, t: dict) -> None:
    """Click Update ("Mise à jour") and wait for the answer page."""
    with page.expect_navigation():
        page.get_by_role("button", name=t["update"], exact=True).click()


def configure_provider(page: Page, t: dict, provider: str) -> None:
    """ "Configure": the provider list → choose → its form."""
    open_tab(page, t["provider_tab"])
    page.get_by_label(t[provider]).check()
    page.get_by_role("button", name=t["configure"], exact=True).click()
    expect(page.get_by_role("heading", level=2, name=t[provider])).to_be_visible()


def use_provider(page: Page, t: dict, provider: str) -> None:
    """ "Use this provider for payments" on its form, then confirm on the page that says what
    attendees will see."""
    name = t[provider]
    page.get_by_role("link", name=t["use_provider"], exact=True).click()
    heading = t["use_heading"].format(provider=name)
    expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name=t["use_provider"], exact=True).click()
    expect(flash(page, t["now_pays"].format(provider=name))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=name)).to_contain_text(t["active"])
    expect(page.get_by_text(t["pays_here"])).to_be_visible()


def visible_cards(page: Page) -> list[str]:
    return [
        box.get_attribute("value")
        for box in page.locator('input[name="cards"]').all()
        if box.is_visible()
    ]


# --- Activer le commerce électronique ---------------------------------------------------


def test_01_enable_ecommerce(admin_in, t, site):
    page = admin_in
    open_ecommerce(page, t, "events")  # 1
    events, training = field(page, t["events_service"]), field(page, t["training_service"])
    expect(events).not_to_be_checked()
    events.check()  # 2
    training.check()
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    expect(events).to_be_checked()
    expect(training).to_be_checked()
    commerce = CommerceSettings.for_site(site)
    assert commerce.events_enabled and commerce.training_enabled

    # One configuration for both services: the Training page shows the same boxes.
    open_ecommerce(page, t, "training")
    expect(
        page.get_by_text(t["shared_note"].replace("Webex Training", "Webex Events"))
    ).to_be_visible()
    expect(field(page, t["events_service"])).to_be_checked()
    field(page, t["events_service"]).uncheck()
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    expect(field(page, t["events_service"])).not_to_be_checked()
    expect(field(page, t["training_service"])).to_be_checked()
    commerce.refresh_from_db()
    assert not commerce.events_enabled and commerce.training_enabled


# --- Basculer entre les modes production et test ------------------------------------------


def test_02_test_mode_then_back_to_production_once_complete(admin_in, t, site, paypal_sandbox):
    """Step 2 Test; Production refused while incomplete; step 3 the configuration changes
    (a service, the business name, a complete Payflow Pro on the simulator's account); steps
    4-5 Production, accepted."""
    page = admin_in
    open_ecommerce(page, t)
    open_tab(page, t["mode_tab"])
    expect(page.get_by_text(t["before_production"])).to_be_visible()
    page.get_by_label(t["test"], exact=True).check()  # 2
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    expect(page.get_by_label(t["test"], exact=True)).to_be_checked()
    assert CommerceSettings.for_site(site).mode == "test"

    # Production while nothing is configured yet: refused, with the reasons on the form.
    page.get_by_label(t["production"], exact=True).check()
    update(page, t)
    form = page.locator("main form[method=post]")
    expect(form).to_contain_text(t["not_ready"])
    expect(form).to_contain_text(t["no_business_name"])
    expect(form).to_contain_text(t["no_provider"])
    expect(page.get_by_role("status")).to_have_count(0)
    assert CommerceSettings.for_site(site).mode == "test"

    # 3: the configuration changes: a service, the business name, a complete provider.
    open_tab(page, t["enable_tab"])
    field(page, t["events_service"]).check()
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    open_tab(page, t["business_tab"])
    field(page, t["business_name"]).fill("Acme Events")
    field(page, t["support_info"]).fill("help@acme.example")
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    configure_provider(page, t, "payflow_pro")
    field(page, t["account_type"]).select_option(label=t["type_payflow_pro"])
    field(page, t["partner"]).fill("PayPal")
    field(page, t["vendor"]).fill("acmedemo")
    field(page, t["user"]).fill("acmedemo")
    field(page, t["password"]).fill("pilot-pass-1")
    update(page, t)  # Test mode takes an incomplete provider
    expect(flash(page, t["saved"])).to_be_visible()
    assert CommerceSettings.for_site(site).provider == ""  # saved, not chosen
    use_provider(page, t, "payflow_pro")

    # No card ticked yet: every tab says the provider in use is incomplete; Production is
    # still refused, and says why.
    incomplete = page.locator("[data-incomplete-provider]")
    expect(incomplete).to_contain_text(t["incomplete"].format(provider=t["payflow_pro"]))
    expect(incomplete).to_contain_text(t["no_card"])
    open_tab(page, t["mode_tab"])
    expect(incomplete).to_contain_text(t["no_card"])
    no_card = f"{t['payflow_pro']}{t['colon']} {t['no_card']}"
    before = page.locator("main .alert-warning").filter(has_text=t["before_production"])
    expect(before).to_contain_text(no_card)
    page.get_by_label(t["production"], exact=True).check()
    update(page, t)
    expect(page.locator("main form[method=post]")).to_contain_text(no_card)
    assert CommerceSettings.for_site(site).mode == "test"

    open_tab(page, t["provider_tab"])
    expect(page.get_by_label(t["payflow_pro"])).to_be_checked()  # the active one
    page.get_by_role("button", name=t["configure"], exact=True).click()
    page.get_by_label("Visa", exact=True).check()
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    expect(incomplete).to_have_count(0)

    open_tab(page, t["mode_tab"])
    expect(page.get_by_text(t["before_production"])).to_have_count(0)
    page.get_by_label(t["production"], exact=True).check()  # 4
    update(page, t)  # 5
    expect(flash(page, t["saved"])).to_be_visible()
    expect(page.get_by_label(t["production"], exact=True)).to_be_checked()
    commerce = CommerceSettings.for_site(site)
    assert commerce.mode == "production"
    assert commerce.provider == "payflow_pro" and commerce.events_enabled


# --- Paiements PayPal Payflow Pro ----------------------------------------------------------


def test_03_payflow_pro_account_types_and_cards(admin_in, t, site, paypal_sandbox):
    page = admin_in
    open_ecommerce(page, t)  # 1
    configure_provider(page, t, "payflow_pro")  # 2-3
    expect(field(page, t["partner"])).to_have_value("PayPal")
    expect(field(page, t["currency"])).to_have_value("USD")
    expect(field(page, t["currency"]).locator("option")).to_have_count(1)  # USD only

    account_type = field(page, t["account_type"])
    account_type.select_option(label=t["type_wpp"])
    assert visible_cards(page) == []
    expect(field(page, t["express_checkout"])).to_be_hidden()

    account_type.select_option(label=t["type_pro_payflow_edition"])
    assert visible_cards(page) == ["visa", "mastercard", "amex", "discover"]
    expect(field(page, t["express_checkout"])).to_be_hidden()

    account_type.select_option(label=t["type_payflow_pro"])
    assert visible_cards(page) == ["visa", "mastercard", "amex", "discover", "diners", "jcb"]
    page.get_by_label("Visa", exact=True).check()
    page.get_by_label("Diners Club").check()
    field(page, t["express_checkout"]).check()
    field(page, t["vendor"]).fill("acmedemo")
    field(page, t["user"]).fill("acmedemo")
    field(page, t["password"]).fill("pilot-pass-1")
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    use_provider(page, t, "payflow_pro")
    # What the form shows again: the choices, never the password.
    expect(account_type).to_have_value("payflow_pro")
    expect(page.get_by_label("Visa", exact=True)).to_be_checked()
    expect(page.get_by_label("Diners Club")).to_be_checked()
    expect(page.get_by_label("JCB")).not_to_be_checked()
    expect(field(page, t["express_checkout"])).to_be_checked()
    expect(field(page, t["password"])).to_have_value("")

    account = PayflowAccount.objects.get(site=site, kind="payflow_pro")
    assert sorted(account.cards) == ["diners", "visa"]
    assert account.express_checkout and account.password == "pilot-pass-1"
    assert (account.vendor, account.user, account.currency) == ("acmedemo", "acmedemo", "USD")
    assert CommerceSettings.for_site(site).provider == "payflow_pro"

    # The simulator knows this account: Test connection says so.
    page.get_by_role("button", name=t["test_connection"]).click()
    result = flash(page, t["connection_works"])
    expect(result).to_be_visible()
    expect(result.locator("details summary")).to_have_text(t["paypal_answer"])
    expect(result.locator("details code")).to_be_hidden()  # PayPal's own words, on demand
    result.locator("details summary").click()
    expect(result.locator("details code")).to_have_text(
        "RESULT=19 — Original transaction ID not found"
    )

    # A card of a richer account type is not offered once a poorer type is chosen and saved;
    # the hidden choices are kept for when that type comes back.
    account_type.select_option(label=t["type_pro_payflow_edition"])
    expect(page.get_by_label("Diners Club")).to_be_hidden()
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    account.refresh_from_db()
    assert account.account_type == "payments_pro_payflow_edition"
    assert account.cards_on_offer == ("visa",) and not account.offers_paypal_button
    assert account.password == "pilot-pass-1"  # an empty password field keeps the saved one
    expect(page.get_by_label("Visa", exact=True)).to_be_checked()
    account_type.select_option(label=t["type_payflow_pro"])
    expect(page.get_by_label("Diners Club")).to_be_checked()
    expect(field(page, t["express_checkout"])).to_be_checked()


# --- PayPal Express Checkout (Canada) ------------------------------------------------------


def test_04_express_checkout_canada(admin_in, t, site, paypal_sandbox):
    page = admin_in
    open_ecommerce(page, t, "training")  # 1: either service's page
    configure_provider(page, t, "ec_ca")  # 2-3
    expect(field(page, t["currency"])).to_have_value("CAD")  # CAD by default, changeable
    expect(field(page, t["currency"]).locator("option[value=USD]")).to_have_count(1)
    field(page, t["paypal_email"]).fill("ventes@acme.example.ca")
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    use_provider(page, t, "ec_ca")
    # The permission is still to grant (Express Checkout US below goes through it).
    expect(page.locator("#permission-status")).to_have_text(t["not_granted"])
    expect(page.get_by_role("button", name=t["grant"])).to_be_visible()

    account = ExpressCheckoutAccount.objects.get(site=site, kind="express_checkout_ca")
    assert (account.paypal_email, account.currency) == ("ventes@acme.example.ca", "CAD")
    assert CommerceSettings.for_site(site).provider == "express_checkout_ca"
    site.refresh_from_db()
    assert site.currency == "CAD"


# --- PayPal Express Checkout (USA), with Grant API permission ------------------------------


def test_05_express_checkout_us_with_api_permission(admin_in, t, site, paypal_sandbox):
    page = admin_in
    # A site whose calendar day differs from UTC's right now, to see whose day is shown.
    site.time_zone = "Pacific/Kiritimati" if timezone.now().hour >= 12 else "Etc/GMT+12"
    site.save(update_fields=["time_zone"])
    open_ecommerce(page, t)  # 1
    configure_provider(page, t, "ec_us")  # 2-3
    expect(field(page, t["currency"])).to_have_value("USD")  # USD by default
    field(page, t["paypal_email"]).fill("merchant@acme.example")
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    use_provider(page, t, "ec_us")

    # "Accorder la permission API à Webex": follow the link and PayPal's instructions.
    page.get_by_role("button", name=t["grant"]).click()
    page.get_by_role("link", name=t["continue_to_paypal"]).click()
    page.wait_for_url(paypal_sandbox.base_url + "/**")
    page.locator("#grant").click()
    expect(flash(page, t["permission_granted"])).to_be_visible()

    account = ExpressCheckoutAccount.objects.get(site=site, kind="express_checkout_us")
    assert account.permission_status == "granted" and account.merchant_id_in_paypal
    # The date of the grant, in the site's time zone (as every date of the console).
    granted_on = dmy(timezone.localtime(account.permission_updated_at, site.tzinfo))
    expect(page.locator("#permission-status")).to_have_text(
        f"{t['permission_granted_on']} {granted_on}"
    )
    assert CommerceSettings.for_site(site).provider == "express_checkout_us"
    assert account.paypal_email == "merchant@acme.example" and account.currency == "USD"


# --- PayPal Website Payments Pro (GB) ------------------------------------------------------


def test_06_website_payments_pro_gb(admin_in, t, site, paypal_sandbox):
    page = admin_in
    open_ecommerce(page, t)  # 1
    configure_provider(page, t, "wpp_gb")  # 2-3
    expect(field(page, t["partner"])).to_have_value("PayPalUK")
    expect(field(page, t["currency"])).to_have_value("GBP")

    account_type = field(page, t["account_type"])
    account_type.select_option(label=t["type_wpp"])
    assert visible_cards(page) == []
    account_type.select_option(label=t["type_wpp_payflow_edition"])
    assert sorted(visible_cards(page)) == ["mastercard", "visa_debit_electron"]
    expect(page.get_by_label(t["express_checkout"])).to_have_count(0)
    page.get_by_label(t["visa_debit_electron"]).check()
    page.get_by_label("MasterCard").check()
    field(page, t["vendor"]).fill("acmeuk")
    field(page, t["user"]).fill("acmeuk")
    field(page, t["password"]).fill("pilot-pass-uk")
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    use_provider(page, t, "wpp_gb")
    expect(page.get_by_label(t["visa_debit_electron"])).to_be_checked()
    expect(page.get_by_label("MasterCard")).to_be_checked()

    account = PayflowAccount.objects.get(site=site, kind="website_payments_pro_gb")
    assert account.account_type == "wpp_payflow_edition"
    assert sorted(account.cards) == ["mastercard", "visa_debit_electron"]
    assert (account.partner, account.vendor, account.currency) == ("PayPalUK", "acmeuk", "GBP")
    assert CommerceSettings.for_site(site).provider == "website_payments_pro_gb"


# --- Ajouter des codes promotionnels -------------------------------------------------------


def test_07_create_promo_codes(admin_in, t, site):
    page = admin_in
    expires = site.today() + timedelta(days=30)
    open_ecommerce(page, t)  # 1
    open_tab(page, t["promo_tab"])  # 2: the E-Commerce tab that creates codes
    expect(page.get_by_role("heading", name=t["create_heading"])).to_be_visible()

    # 3: system generated, three codes of ten characters, once each, 15 %.
    expect(page.get_by_label(t["events_service"])).to_be_checked()
    expect(page.get_by_label(t["system_generated"])).to_be_checked()
    field(page, t["quantity"]).fill("3")
    field(page, t["code_length"]).fill("10")
    page.get_by_label(t["percentage"]).check()
    field(page, t["percent_off"]).fill("15")
    field(page, t["expiration_date"]).fill(dmy(expires))
    page.get_by_role("button", name=t["create"], exact=True).click()  # 4
    expect(page.get_by_text(t["created_3"])).to_be_visible()
    generated = list(PromoCode.objects.filter(site=site))
    assert len(generated) == 3
    assert {len(c.code) for c in generated} == {10}
    assert {(c.max_uses, c.discount_type, c.discount_value) for c in generated} == {
        (1, "percent", Decimal("15.00"))
    }
    assert {c.expires_on for c in generated} == {expires}

    page.get_by_role("link", name=t["show_codes"]).click()
    rows = page.locator("table.table-report tbody tr")
    expect(rows).to_have_count(3)
    for code in generated:
        expect(rows.filter(has_text=code.code)).to_contain_text(dmy(expires))

    # A single promo code, typed in, usable five times, fixed amount.
    open_tab(page, t["promo_tab"])
    page.get_by_label(t["single_code"]).check()
    field(page, t["custom_code"]).fill("SPRING-26")
    page.get_by_label(t["times"]).check()
    field(page, t["max_uses"]).fill("5")
    page.get_by_label(t["fixed_amount"]).check()
    field(page, t["amount_off"]).fill("20")
    field(page, t["expiration_date"]).fill(dmy(expires))
    page.get_by_role("button", name=t["create"], exact=True).click()
    expect(page.get_by_text(t["created_1"])).to_be_visible()
    single = PromoCode.objects.get(site=site, code="SPRING-26")
    assert (single.max_uses, single.discount_type, single.discount_value) == (
        5,
        "fixed",
        Decimal("20.00"),
    )
    page.get_by_role("link", name=t["show_codes"]).click()
    row = page.locator("table.table-report tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(single.code)
    expect(row).to_contain_text("0 / 5")


# --- Prolonger la date d'expiration / Supprimer des codes promotionnels --------------------

REPORT_CODES = ("EXT-ONE", "EXT-TWO", "KEEP-ME")


@pytest.fixture
def report_codes(site, admin):
    """Three single codes of Webex Events, expiring in ten days."""
    expires = site.today() + timedelta(days=10)
    for code in REPORT_CODES:
        promo_tasks.start_creation(
            site,
            admin,
            CreationParams(
                service="events",
                discount_type="percent",
                discount_value=Decimal("10"),
                expires_on=expires,
                code_length=8,
                quantity=1,
                custom_code=code,
                max_uses=1,
            ),
        )
    return expires


def open_report(page: Page, t: dict) -> None:
    """ "Dans la section Rapports …, sélectionnez Rapport des codes promotionnels"."""
    nav = page.get_by_role("navigation", name=t["site_nav"])
    expect(nav.get_by_role("heading", name=t["reports"])).to_be_visible()
    nav.get_by_role("link", name=t["report"]).click()
    expect(page.get_by_role("heading", level=2, name=t["report"])).to_be_visible()


def report_cell(page: Page, code: str, column: str):
    """The cell of ``column`` (by its visible header) in the row of ``code``."""
    headers = [h.strip() for h in page.locator("table.table-report thead th").all_inner_texts()]
    index = headers.index(column)
    row = page.locator("table.table-report tbody tr").filter(has_text=code)
    return row.locator("td").nth(index)


def select_code(page: Page, t: dict, code: str):
    return page.get_by_label(t["select"].format(code=code), exact=True)


def test_08_extend_expiration_date(admin_in, t, site, report_codes):
    page = admin_in
    old, new = report_codes, report_codes + timedelta(days=60)
    open_ecommerce(page, t)  # 1
    open_report(page, t)  # 2
    field(page, t["status"]).select_option(label=t["active"])  # 3
    page.get_by_role("button", name=t["show_report"]).click()  # 4
    expect(page.locator("table.table-report tbody tr")).to_have_count(3)
    for code in REPORT_CODES:
        expect(report_cell(page, code, t["expiration_date"])).to_have_text(dmy(old))
        expect(select_code(page, t, code)).not_to_be_checked()

    # The page box ticks and unticks every row.
    page.get_by_label(t["select_page"]).check()
    for code in REPORT_CODES:
        expect(select_code(page, t, code)).to_be_checked()
    page.get_by_label(t["select_page"]).uncheck()
    for code in REPORT_CODES:
        expect(select_code(page, t, code)).not_to_be_checked()

    select_code(page, t, "EXT-ONE").check()  # 5
    select_code(page, t, "EXT-TWO").check()
    expect(page.get_by_role("heading", name=t["extend"])).to_be_visible()  # 6
    page.get_by_label(t["extend_until"]).fill(dmy(new))  # 7
    update(page, t)  # 8
    expect(flash(page, t["extended_2"].format(date=dmy(new)))).to_be_visible()
    # The Expiration date column shows the new dates; the report keeps its parameters.
    expect(field(page, t["status"])).to_have_value("active")
    expect(report_cell(page, "EXT-ONE", t["expiration_date"])).to_have_text(dmy(new))
    expect(report_cell(page, "EXT-TWO", t["expiration_date"])).to_have_text(dmy(new))
    expect(report_cell(page, "KEEP-ME", t["expiration_date"])).to_have_text(dmy(old))
    expect(select_code(page, t, "EXT-ONE")).not_to_be_checked()
    expires = dict(PromoCode.objects.filter(site=site).values_list("code", "expires_on"))
    assert expires == {"EXT-ONE": new, "EXT-TWO": new, "KEEP-ME": old}


def test_09_delete_promo_codes(admin_in, t, site, report_codes):
    page = admin_in
    open_ecommerce(page, t)  # 1
    open_report(page, t)  # 2
    field(page, t["status"]).select_option(label=t["all"])  # 3
    page.get_by_role("button", name=t["show_report"]).click()  # 4
    expect(page.locator("table.table-report tbody tr")).to_have_count(3)
    select_code(page, t, "EXT-TWO").check()  # 5
    page.once("dialog", lambda dialog: dialog.accept())  # "Delete …? They can no longer …"
    page.get_by_role("button", name=t["delete"]).click()  # 6
    expect(flash(page, t["deleted_1"])).to_be_visible()
    # The Status column shows Deleted for the deleted code only.
    expect(report_cell(page, "EXT-TWO", t["status"])).to_have_text(t["deleted"])
    expect(report_cell(page, "EXT-ONE", t["status"])).to_have_text(t["active"])
    expect(report_cell(page, "KEEP-ME", t["status"])).to_have_text(t["active"])
    statuses = dict(PromoCode.objects.filter(site=site).values_list("code", "status"))
    assert statuses == {"EXT-ONE": "active", "EXT-TWO": "deleted", "KEEP-ME": "active"}

    # A deleted code can no longer be extended: the result says it was skipped.
    new = report_codes + timedelta(days=5)
    select_code(page, t, "EXT-TWO").check()
    select_code(page, t, "KEEP-ME").check()
    page.get_by_label(t["extend_until"]).fill(dmy(new))
    update(page, t)
    expect(flash(page, t["extended_1"].format(date=dmy(new)))).to_be_visible()
    expect(flash(page, t["skipped_1"])).to_be_visible()
    expect(report_cell(page, "KEEP-ME", t["expiration_date"])).to_have_text(dmy(new))
    expect(report_cell(page, "EXT-TWO", t["expiration_date"])).to_have_text(dmy(report_codes))
    expect(report_cell(page, "EXT-TWO", t["status"])).to_have_text(t["deleted"])


# --- Entrez les coordonnées de votre société -----------------------------------------------


def test_10_business_information(admin_in, t, site):
    page = admin_in
    open_ecommerce(page, t)  # 1
    open_tab(page, t["business_tab"])
    field(page, t["business_name"]).fill("Acme Événements")  # 2
    field(page, t["support_info"]).fill("call us maybe")  # 3: neither an e-mail nor a phone
    update(page, t)  # 4
    expect(page.locator("main form[method=post]")).to_contain_text(t["support_invalid"])
    expect(page.get_by_role("status")).to_have_count(0)
    assert CommerceSettings.for_site(site).business_name == ""  # nothing half-saved

    field(page, t["support_info"]).fill("+1 408 555 0100")
    update(page, t)
    expect(flash(page, t["saved"])).to_be_visible()
    commerce = CommerceSettings.for_site(site)
    assert commerce.business_name == "Acme Événements"
    assert commerce.support_info.replace("-", " ") == "+1 408 555 0100"
    expect(field(page, t["support_info"])).to_have_value(commerce.support_info)

    # The summary on the first tab shows them too.
    open_ecommerce(page, t)
    summary = page.locator("main dl")
    expect(summary).to_contain_text("Acme Événements")
    expect(summary).to_contain_text(commerce.support_info)


# --- Personnaliser la page Paiement --------------------------------------------------------


def test_11_payment_page_text(admin_in, t, site):
    page = admin_in
    CommerceSettings.objects.create(
        site=site, business_name="Acme Events", support_info="help@acme.example"
    )
    open_ecommerce(page, t)  # 1
    open_tab(page, t["payment_page_tab"])
    preview = page.locator("#payment-page-preview")
    expect(page.get_by_role("heading", name=t["preview"])).to_be_visible()
    expect(preview).to_contain_text("Acme Events")
    expect(preview).to_contain_text(t["questions"] + " help@acme.example")

    header = "Welcome!\n<b>Pay securely</b> below."
    field(page, t["header"]).fill(header)  # 2
    field(page, t["footer"]).fill("No refunds after the event.")  # 3
    header_preview = preview.locator('[data-preview-target="header"]')
    expect(header_preview).to_have_text(header)  # live, as plain text
    expect(header_preview.locator("b")).to_have_count(0)
    assert header_preview.inner_text() == header  # the line break is kept
    expect(preview.locator('[data-preview-target="footer"]')).to_have_text(
        "No refunds after the event."
    )
    update(page, t)  # 4
    expect(flash(page, t["saved"])).to_be_visible()
    commerce = CommerceSettings.for_site(site)
    assert commerce.header_text.replace("\r\n", "\n") == header
    assert commerce.footer_text == "No refunds after the event."
    # Saved: the page shows the text again, in the field and in the preview.
    expect(field(page, t["header"])).to_have_value(header)
    expect(header_preview).to_contain_text("<b>Pay securely</b> below.")
    expect(header_preview.locator("b")).to_have_count(0)


# --- History and the charts, as they look at 1280×800 --------------------------------------


def screenshot(page: Page, name: str, top: str | None = None) -> None:
    """Save the viewport as ``test-artifacts/<name>.png``, ``top`` (a selector) scrolled to
    its top first."""
    if top:
        page.locator(top).evaluate("e => e.scrollIntoView({block: 'start', behavior: 'instant'})")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_13_history_and_charts_at_1280(admin_in, t, lang, site, admin):
    page = admin_in
    seed_history(site, admin)
    seed_reports(site)
    page.set_viewport_size({"width": 1280, "height": 800})
    nav = page.get_by_role("navigation", name=t["site_nav"])

    nav.get_by_role("link", name=t["history"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["history"])
    expect(page.locator("[data-history] tbody tr")).to_have_count(2)
    screenshot(page, f"history-{lang}")

    nav.get_by_role("link", name=t["transactions"]).click()
    field(page, t["payments_scope"]).select_option(label=t["live_and_test"])
    page.get_by_role("button", name=t["show_report"]).click()
    charts = page.locator("[data-dashboard] figure.chart svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    screenshot(page, f"transactions-dashboard-{lang}", top="[data-dashboard]")

    open_report(page, t)
    expect(page.locator("[data-insights] figure.chart svg")).to_have_count(3)
    screenshot(page, f"promo-insights-{lang}", top="[data-insights]")


# --- An organizer reads the reports ----------------------------------------------------------


@pytest.fixture
def payments(site, organizer):
    """A live and a test payment of one priced session."""
    from sites.models import Session

    session = Session.objects.create(
        site=site,
        title="Launch keynote",
        service="events",
        kind="event_recording",
        fee=Decimal("100.00"),
        organizer=organizer,
    )
    common = {
        "site": site,
        "session": session,
        "fee": Decimal("100.00"),
        "currency": "USD",
        "provider": "payflow_pro",
        "method": "card",
        "status": "paid",
        "card_brand": "Visa",
        "card_last4": "1111",
        "paid_at": timezone.now(),
    }
    live = Payment.objects.create(
        attendee_name="Lou Live",
        attendee_email="lou@example.com",
        discount=Decimal("10.00"),
        amount=Decimal("90.00"),
        is_test=False,
        gateway_reference="A1B2C3D4E5F6",
        **common,
    )
    test = Payment.objects.create(
        attendee_name="Tess Test",
        attendee_email="tess@example.com",
        amount=Decimal("100.00"),
        is_test=True,
        gateway_reference="B1B2C3D4E5F6",
        **common,
    )
    return live, test


def test_12_organizer_reads_both_reports_without_action_controls(
    page, login, live_server, site, organizer, lang, t, report_codes, payments
):
    login("oscar", "pw-oscar")
    choose_language(page, lang)
    nav = page.get_by_role("navigation", name=t["site_nav"])
    expect(nav.get_by_role("heading", name=t["configuration"])).to_have_count(0)
    expect(page.get_by_role("link", name=t["events_ecommerce"])).to_have_count(0)

    # Promotional Codes Report: every code, read-only.
    open_report(page, t)
    page.get_by_role("button", name=t["show_report"]).click()
    rows = page.locator("table.table-report tbody tr")
    expect(rows).to_have_count(3)
    for code in REPORT_CODES:
        expect(report_cell(page, code, t["expiration_date"])).to_have_text(dmy(report_codes))
        expect(report_cell(page, code, t["status"])).to_have_text(t["active"])
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name=t["update"])).to_have_count(0)
    expect(page.get_by_role("button", name=t["delete"])).to_have_count(0)
    expect(page.get_by_label(t["extend_until"])).to_have_count(0)
    expect(page.locator("a[href*='/promocodes/create/']")).to_have_count(0)

    # Transactions report: live and test payments, totals, no deletion and no refund.
    nav.get_by_role("link", name=t["transactions"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["transactions"])
    field(page, t["payments_scope"]).select_option(label=t["live_and_test"])
    page.get_by_role("button", name=t["show_report"]).click()
    table = page.get_by_role("table", name=t["payments_scope"], exact=True)
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").filter(has_text="Lou Live")).to_contain_text(t["paid"])
    expect(table.locator("tbody tr").filter(has_text="Tess Test")).to_contain_text("TEST")
    expect(page.locator("[data-totals] [data-count]")).to_have_text("2")
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name=t["delete_test"])).to_have_count(0)
    expect(page.get_by_role("link", name=t["refund"])).to_have_count(0)
    assert Payment.objects.filter(site=site).count() == 2

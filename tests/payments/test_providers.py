"""Payment provider configuration: the four providers, secrets, production guard, PayPal calls."""

import json
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from payments.models import CommerceSettings, ExpressCheckoutAccount, PayflowAccount
from sites.models import Revision

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Pa55word!"


def form_url(site, kind, service="events"):
    return reverse("provider-form", args=[site.slug, service, kind])


def use_url(site, kind, service="events"):
    return reverse("provider-use", args=[site.slug, service, kind])


def use(client, site, kind):
    """Confirm "Use this provider for payments" (the POST of the confirmation page)."""
    response = client.post(use_url(site, kind))
    assert response.status_code == 302, response.content.decode()
    return response


def payflow_data(**overrides):
    data = {
        "partner": "PayPal",
        "vendor": "acmedemo",
        "user": "acmedemo",
        "password": "pilot-pass-1",
        "account_type": "payflow_pro",
        "cards": ["visa", "mastercard", "jcb"],
        "express_checkout": "on",
        "currency": "USD",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_provider_list_shows_the_four_providers_and_configure_goes_to_the_form(admin_client, site):
    response = admin_client.get(reverse("provider-list", args=[site.slug, "events"]))
    body = response.content.decode()
    for label in (
        "PayPal Payflow Pro",
        "PayPal Express Checkout (US)",
        "PayPal Express Checkout (Canada)",
        "PayPal Website Payments Pro (GB)",
    ):
        assert label in body
    response = admin_client.get(
        reverse("provider-list", args=[site.slug, "events"]), {"provider": "express_checkout_ca"}
    )
    assert response["Location"] == form_url(site, "express_checkout_ca")


def test_valid_payflow_pro_save_records_password_as_changed(admin_client, site):
    response = admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    assert response.status_code == 302, response.content.decode()
    account = PayflowAccount.objects.get(site=site)
    assert account.cards == ["visa", "mastercard", "jcb"] and account.express_checkout
    assert account.password == SECRET
    assert CommerceSettings.for_site(site).provider == ""  # saving is not choosing
    revision = Revision.objects.for_site(site).get(area="provider.payflow_pro")
    assert {"field": "password", "label": "Password", "secret": True} in revision.changes
    assert SECRET not in str(Revision.objects.values_list("changes", flat=True)[::1])


def test_password_is_encrypted_at_rest(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM payments_payflowaccount")
        (stored,) = cursor.fetchone()
    assert stored and stored != SECRET and SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def test_empty_password_keeps_the_saved_one(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    response = admin_client.post(
        form_url(site, "payflow_pro"), payflow_data(password="", vendor="v2")
    )
    assert response.status_code == 302
    account = PayflowAccount.objects.get(site=site)
    assert account.password == SECRET and account.vendor == "v2"
    changes = Revision.objects.for_site(site).filter(area="provider.payflow_pro").first().changes
    assert [c["field"] for c in changes] == ["vendor"]


def test_password_never_appears_in_any_page_or_log(admin_client, site, caplog):
    caplog.set_level(logging.DEBUG)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    pages = [
        form_url(site, "payflow_pro"),
        reverse("provider-list", args=[site.slug, "events"]),
        reverse("site-history", args=[site.slug]),
        reverse("ecommerce-enable", args=[site.slug, "training"]),
        reverse("ecommerce-mode", args=[site.slug, "events"]),
    ]
    for page in pages:
        assert SECRET not in admin_client.get(page).content.decode(), page
    bad = admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET, vendor=""))
    assert SECRET not in bad.content.decode()
    assert SECRET not in caplog.text


def test_ops_admin_never_shows_the_password(client, django_user_model, site):
    ops = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw")
    PayflowAccount.objects.create(site=site, kind="payflow_pro", vendor="v", password=SECRET)
    client.force_login(ops)
    listing = client.get("/ops/payments/payflowaccount/")
    account = PayflowAccount.objects.get()
    detail = client.get(f"/ops/payments/payflowaccount/{account.pk}/change/")
    assert listing.status_code == detail.status_code == 200
    assert SECRET not in listing.content.decode() + detail.content.decode()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {
                "account_type": "payments_pro_payflow_edition",
                "cards": ["visa", "jcb"],
                "express_checkout": None,
            },
            "cards",
            "does not offer: JCB",
        ),
        (
            {"account_type": "payments_pro_payflow_edition", "cards": ["visa"]},
            "express_checkout",
            "only with the Payflow Pro account type",
        ),
        ({"currency": "EUR"}, "currency", "Select a valid choice"),
        ({"account_type": "bogus"}, "account_type", "Select a valid choice"),
        ({"account_type": "wpp_payflow_edition"}, "account_type", "Select a valid choice"),
    ],
)
def test_payflow_pro_refuses_bad_input_with_a_field_error(
    admin_client, site, overrides, field, message
):
    response = admin_client.post(form_url(site, "payflow_pro"), payflow_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in str(form.errors[field])
    assert not PayflowAccount.objects.exists()


def test_website_payments_pro_gb_offers_its_own_cards_and_any_paypal_currency(admin_client, site):
    data = payflow_data(
        partner="PayPalUK",
        vendor="globexuk",
        user="globexuk",
        account_type="wpp_payflow_edition",
        cards=["visa_debit_electron", "mastercard"],
        express_checkout=None,
        currency="EUR",
    )
    response = admin_client.post(form_url(site, "website_payments_pro_gb"), data)
    assert response.status_code == 302
    account = PayflowAccount.objects.get(site=site, kind="website_payments_pro_gb")
    assert account.currency == "EUR"
    site.refresh_from_db()
    assert site.currency == "USD"  # prices follow the provider attendees pay with
    use(admin_client, site, "website_payments_pro_gb")
    site.refresh_from_db()
    assert site.currency == "EUR"
    bad = admin_client.post(form_url(site, "website_payments_pro_gb"), {**data, "cards": ["amex"]})
    assert "cards" in bad.context["form"].errors


def test_website_payments_pro_gb_defaults_to_gbp(admin_client, site):
    response = admin_client.get(form_url(site, "website_payments_pro_gb"))
    assert response.context["form"]["currency"].value() == "GBP"


@pytest.mark.parametrize(
    "kind, currency", [("express_checkout_us", "USD"), ("express_checkout_ca", "CAD")]
)
def test_express_checkout_defaults_and_validation(admin_client, site, kind, currency):
    page = admin_client.get(form_url(site, kind))
    assert page.context["form"]["currency"].value() == currency
    bad = admin_client.post(
        form_url(site, kind), {"paypal_email": "not-an-email", "currency": currency}
    )
    assert "paypal_email" in bad.context["form"].errors
    bad = admin_client.post(
        form_url(site, kind), {"paypal_email": "m@acme.example", "currency": "XYZ"}
    )
    assert "currency" in bad.context["form"].errors
    ok = admin_client.post(
        form_url(site, kind), {"paypal_email": "m@acme.example", "currency": "EUR"}
    )
    assert ok.status_code == 302
    assert ExpressCheckoutAccount.objects.get(site=site, kind=kind).currency == "EUR"


def test_settings_of_other_providers_are_kept_when_switching(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    admin_client.post(
        form_url(site, "express_checkout_us"), {"paypal_email": "m@acme.example", "currency": "USD"}
    )
    use(admin_client, site, "express_checkout_us")
    assert CommerceSettings.for_site(site).provider == "express_checkout_us"
    assert PayflowAccount.objects.get(site=site).password == SECRET
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=""))
    assert CommerceSettings.for_site(site).provider == "express_checkout_us"
    use(admin_client, site, "payflow_pro")
    assert CommerceSettings.for_site(site).provider == "payflow_pro"


def enable_everything(site):
    commerce = CommerceSettings.for_site(site)
    commerce.events_enabled = True
    commerce.business_name = "Acme"
    commerce.save()


def test_production_is_refused_while_the_active_provider_is_incomplete(admin_client, site):
    enable_everything(site)
    admin_client.post(
        form_url(site, "express_checkout_us"), {"paypal_email": "m@acme.example", "currency": "USD"}
    )
    use(admin_client, site, "express_checkout_us")
    response = admin_client.post(
        reverse("ecommerce-mode", args=[site.slug, "events"]), {"mode": "production"}
    )
    assert "Grant API permission to Webex on PayPal" in response.content.decode()
    assert CommerceSettings.for_site(site).mode == "test"


def test_production_is_accepted_once_payflow_is_complete(admin_client, site):
    enable_everything(site)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    use(admin_client, site, "payflow_pro")
    response = admin_client.post(
        reverse("ecommerce-mode", args=[site.slug, "events"]), {"mode": "production"}
    )
    assert response.status_code == 302
    assert CommerceSettings.for_site(site).mode == "production"


def test_in_production_an_incomplete_provider_form_is_refused(admin_client, site):
    enable_everything(site)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    use(admin_client, site, "payflow_pro")
    CommerceSettings.objects.filter(site=site).update(mode="production")
    response = admin_client.post(
        form_url(site, "payflow_pro"), payflow_data(cards=[], express_checkout=None)
    )
    assert response.status_code == 200
    assert "Tick at least one card type" in response.content.decode()
    assert PayflowAccount.objects.get(site=site).cards == ["visa", "mastercard", "jcb"]


def test_key_rotation_reencrypts_with_the_newest_key(admin_client, site, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    assert PayflowAccount.objects.get().password == SECRET  # old key still decrypts
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # old key dropped
    assert PayflowAccount.objects.get().password == SECRET


@pytest.mark.parametrize("kind", ["payflow_pro", "express_checkout_us"])
def test_provider_pages_are_404_elsewhere_403_for_organizers_and_need_csrf(
    outsider_client, organizer_client, admin, site, kind
):
    url = form_url(site, kind)
    assert outsider_client.get(url).status_code == 404
    assert organizer_client.get(url).status_code == 403
    assert organizer_client.post(url, payflow_data()).status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin)
    assert csrf_client.post(url, payflow_data()).status_code == 403


def test_unknown_provider_kind_is_404(admin_client, site):
    assert admin_client.get(form_url(site, "stripe")).status_code == 404


# --- Choosing the provider of the payment page is its own act ------------------------------


def gb_data(**overrides):
    data = payflow_data(
        partner="PayPalUK",
        vendor="globexuk",
        user="globexuk",
        account_type="wpp_payflow_edition",
        cards=["visa_debit_electron", "mastercard"],
        express_checkout=None,
        currency="GBP",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_saving_an_incomplete_provider_keeps_the_active_one(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    use(admin_client, site, "payflow_pro")
    incomplete = gb_data(vendor="", user="", password="", cards=[])
    response = admin_client.post(form_url(site, "website_payments_pro_gb"), incomplete, follow=True)
    body = response.content.decode()
    assert "Your changes have been saved." in body
    assert "Attendees still pay with PayPal Payflow Pro." in body
    assert "Not in use: attendees pay with PayPal Payflow Pro." in body
    assert CommerceSettings.for_site(site).provider == "payflow_pro"
    site.refresh_from_db()
    assert site.currency == "USD"
    assert (
        not Revision.objects.for_site(site)
        .filter(area="ecommerce.provider")
        .exclude(changes__0__new="payflow_pro")
    )


def test_the_confirmation_says_what_attendees_will_see(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(cards=["visa", "jcb"]))
    page = admin_client.get(use_url(site, "payflow_pro")).content.decode()
    assert "Use PayPal Payflow Pro for payments?" in page
    assert "No provider is in use now: attendees cannot pay." in page
    assert "Card payment with Visa, JCB" in page
    assert "The “Pay with PayPal” button" in page
    assert "Prices in USD" in page
    assert "Test mode: payments go to PayPal's test servers; no real money moves." in page
    assert CommerceSettings.for_site(site).provider == ""  # GET changes nothing

    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(currency="EUR"))
    admin_client.cookies["django_language"] = "fr"
    use(admin_client, site, "payflow_pro")
    french = admin_client.get(use_url(site, "website_payments_pro_gb")).content.decode()
    assert "Utiliser PayPal Website Payments Pro (Royaume-Uni) pour les paiements\u00a0?" in french
    assert "Les participants paient avec PayPal Payflow Pro actuellement." in french
    assert "Paiement par carte avec Visa/Débit/Electron, MasterCard" in french
    assert "Pas de bouton PayPal" in french
    assert "Prix en EUR (aujourd'hui\u00a0: USD)" in french
    assert "Mode test" in french


def test_using_a_provider_switches_records_it_and_sets_the_currency(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    use(admin_client, site, "payflow_pro")
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(currency="EUR"))
    response = admin_client.post(use_url(site, "website_payments_pro_gb"), follow=True)
    assert "Attendees now pay with PayPal Website Payments Pro (GB)." in response.content.decode()
    assert CommerceSettings.for_site(site).provider == "website_payments_pro_gb"
    site.refresh_from_db()
    assert site.currency == "EUR"
    switches = Revision.objects.for_site(site).filter(area="ecommerce.provider").order_by("pk")
    assert [(r.changes[0]["old"], r.changes[0]["new"]) for r in switches] == [
        ("", "payflow_pro"),
        ("payflow_pro", "website_payments_pro_gb"),
    ]
    assert switches.last().actor.username == "alice"
    # Already the provider of the payment page: the confirmation page sends back to the form.
    again = admin_client.get(use_url(site, "website_payments_pro_gb"))
    assert again["Location"] == form_url(site, "website_payments_pro_gb")
    assert switches.count() == 2


def test_a_provider_never_saved_cannot_be_used(admin_client, site):
    page = admin_client.get(use_url(site, "express_checkout_ca")).content.decode()
    assert "Save the settings of this provider before using it for payments." in page
    assert 'method="post"' not in page.split("<main", 1)[1]  # nothing to confirm
    response = admin_client.post(use_url(site, "express_checkout_ca"))
    assert response.status_code == 200
    assert CommerceSettings.for_site(site).provider == ""
    assert not ExpressCheckoutAccount.objects.exists()


def test_in_production_an_incomplete_provider_cannot_be_used(admin_client, site):
    enable_everything(site)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    use(admin_client, site, "payflow_pro")
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(cards=[]))
    CommerceSettings.objects.filter(site=site).update(mode="production")
    page = admin_client.get(use_url(site, "website_payments_pro_gb")).content.decode()
    assert "This provider cannot be used for payments yet:" in page
    assert "Tick at least one card type." in page
    response = admin_client.post(use_url(site, "website_payments_pro_gb"))
    assert (
        response.status_code == 200 and "Tick at least one card type." in response.content.decode()
    )
    assert CommerceSettings.for_site(site).provider == "payflow_pro"


def test_in_test_mode_an_incomplete_provider_can_be_used_with_a_warning(admin_client, site):
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(password="", cards=[]))
    page = admin_client.get(use_url(site, "website_payments_pro_gb")).content.decode()
    assert "These settings are incomplete; attendees may not be able to pay" in page
    assert "Missing: Password." in page and "Tick at least one card type." in page
    use(admin_client, site, "website_payments_pro_gb")
    assert CommerceSettings.for_site(site).provider == "website_payments_pro_gb"


ECOMMERCE_PAGES = [
    "ecommerce-enable",
    "ecommerce-mode",
    "provider-list",
    "ecommerce-business",
    "ecommerce-payment-page",
    "promocode-create",
    "promocode-report",
]


def test_an_incomplete_active_provider_is_announced_on_every_ecommerce_tab(admin_client, site):
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(password="", cards=[]))
    use(admin_client, site, "website_payments_pro_gb")
    urls = [reverse(name, args=[site.slug, "training"]) for name in ECOMMERCE_PAGES]
    urls.append(form_url(site, "payflow_pro", "training"))
    for url in urls:
        body = admin_client.get(url).content.decode()
        warning = body.split("data-incomplete-provider", 1)[1].split("</div>", 1)[0]
        assert "PayPal Website Payments Pro (GB), whose settings are incomplete" in warning, url
        assert "Missing: Password." in warning and "Tick at least one card type." in warning
        assert form_url(site, "website_payments_pro_gb", "training") in warning
    preview = admin_client.get(reverse("ecommerce-payment-page", args=[site.slug, "events"]))
    assert "data-preview-incomplete" in preview.content.decode()
    french = admin_client.get(urls[0], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "La page de paiement utilise PayPal Website Payments Pro (Royaume-Uni)" in french

    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data())
    for url in urls:
        assert "data-incomplete-provider" not in admin_client.get(url).content.decode(), url
    preview = admin_client.get(reverse("ecommerce-payment-page", args=[site.slug, "events"]))
    assert "data-preview-incomplete" not in preview.content.decode()
    assert "Visa/Debit/Electron, MasterCard" in preview.content.decode()


# --- Card choices the administrator did not see are kept ---------------------------------


def shown_ticked(client, site, kind) -> list[str]:
    """The card boxes the form shows ticked."""
    return client.get(form_url(site, kind)).context["form"]["cards"].value()


def test_an_account_type_without_cards_keeps_the_saved_cards(admin_client, site):
    kind = "website_payments_pro_gb"
    admin_client.post(form_url(site, kind), gb_data())
    response = admin_client.post(
        form_url(site, kind), gb_data(account_type="website_payments_pro", cards=[], password="")
    )
    assert response.status_code == 302
    account = PayflowAccount.objects.get(site=site, kind=kind)
    assert account.account_type == "website_payments_pro"
    assert account.cards == ["visa_debit_electron", "mastercard"]  # not silently cleared
    assert account.cards_on_offer == () and account.offers_paypal_button
    latest = Revision.objects.for_site(site).filter(area=f"provider.{kind}").first()
    assert [c["field"] for c in latest.changes] == ["account_type"]
    assert shown_ticked(admin_client, site, kind) == []
    # Choosing the Payflow edition again: the cards are back, shown and taken.
    admin_client.post(form_url(site, kind), gb_data(password="", cards=["mastercard"]))
    account.refresh_from_db()
    assert account.cards == ["mastercard"]  # the type's boxes were shown: what is ticked counts


def test_a_poorer_account_type_keeps_the_cards_and_option_it_hides(admin_client, site):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(cards=["visa", "diners", "jcb"]))
    admin_client.post(
        form_url(site, "payflow_pro"),
        payflow_data(
            account_type="payments_pro_payflow_edition", cards=["visa"], express_checkout=None
        ),
    )
    account = PayflowAccount.objects.get(site=site)
    assert account.cards_on_offer == ("visa",) and not account.offers_paypal_button
    assert sorted(account.cards) == ["diners", "jcb", "visa"] and account.express_checkout
    form = admin_client.get(form_url(site, "payflow_pro")).context["form"]
    assert form["cards"].value() == ["visa"] and not form["express_checkout"].value()
    widget = form.fields["account_type"].widget.attrs
    assert sorted(json.loads(widget["data-saved-cards"])) == ["diners", "jcb", "visa"]
    assert json.loads(widget["data-saved-express-checkout"]) is True
    # Unticking the one card shown removes it, and only it.
    admin_client.post(
        form_url(site, "payflow_pro"),
        payflow_data(account_type="payments_pro_payflow_edition", cards=[], express_checkout=None),
    )
    account.refresh_from_db()
    assert sorted(account.cards) == ["diners", "jcb"] and account.cards_on_offer == ()
    assert "Tick at least one card type." in account.blockers()
    # Back to Payflow Pro: its cards and the Express Checkout option show again.
    form = admin_client.get(form_url(site, "payflow_pro")).context["form"]
    assert form["cards"].value() == []  # the saved type is still the Payflow edition
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(cards=["diners", "jcb"]))
    account.refresh_from_db()
    assert account.cards_on_offer == ("diners", "jcb") and account.offers_paypal_button


# --- The password field says only what is true ------------------------------------------


def test_the_password_help_mentions_a_saved_password_only_when_there_is_one(admin_client, site):
    fresh = admin_client.get(form_url(site, "website_payments_pro_gb")).content.decode()
    assert "Leave empty to keep" not in fresh and "A password is saved" not in fresh
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(password=""))
    saved_without = admin_client.get(form_url(site, "website_payments_pro_gb")).content.decode()
    assert "Leave empty to keep" not in saved_without
    admin_client.post(form_url(site, "website_payments_pro_gb"), gb_data(password=SECRET))
    saved = admin_client.get(form_url(site, "website_payments_pro_gb")).content.decode()
    assert "A password is saved. Leave empty to keep it" in saved
    french = admin_client.get(
        form_url(site, "website_payments_pro_gb"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Un mot de passe est enregistré" in french


# --- Against the PayPal simulator -------------------------------------------------------


def press_test_connection(client, site, kind="payflow_pro", language="en"):
    """Press *Test connection*; the page it lands on, in ``language``."""
    url = reverse("provider-test-connection", args=[site.slug, "events", kind])
    client.cookies["django_language"] = language
    return client.post(url, follow=True).content.decode()


def test_test_connection_says_paypal_accepted_the_credentials(admin_client, site, paypal_sandbox):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    page = press_test_connection(admin_client, site)
    assert "PayPal accepted these credentials (test servers)." in page
    details = page.split("<details", 1)[1].split("</details>", 1)[0]
    assert "PayPal&#x27;s answer" in details
    assert "RESULT=19 — Original transaction ID not found" in details
    assert "RESULT=19" not in page.split("<details", 1)[0]
    french = press_test_connection(admin_client, site, language="fr")
    assert "PayPal a accepté ces identifiants (serveurs de test)." in french
    assert "Réponse de PayPal" in french and "RESULT=19" in french
    CommerceSettings.objects.filter(site=site).update(mode="production")
    assert "PayPal accepted these credentials (live servers)." in press_test_connection(
        admin_client, site
    )


@pytest.mark.parametrize(
    "overrides, english, french, raw",
    [
        (
            {"password": "wrong"},
            "PayPal refused the user name or password (user authentication failed).",
            "PayPal a refusé le nom d&#x27;utilisateur ou le mot de passe",
            "RESULT=1 — User authentication failed",
        ),
        (
            {"vendor": "nobody", "user": "nobody"},
            "does not know this Merchant/Vendor login ID with this Partner ID",
            "PayPal ne connaît pas cet ID de connexion du commerçant/fournisseur",
            "RESULT=26 — Invalid vendor account",
        ),
        (
            {"partner": "Verisign"},
            "The usual Partner ID for this provider is PayPal.",
            "L&#x27;identifiant du partenaire habituel de ce fournisseur est PayPal.",
            "RESULT=26 — Invalid vendor account: unknown PARTNER or VENDOR",
        ),
    ],
)
def test_test_connection_names_the_reason_of_a_refusal(
    admin_client, site, paypal_sandbox, overrides, english, french, raw
):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(**overrides))
    page = press_test_connection(admin_client, site)
    assert "PayPal refused these settings (test servers): " in page and english in page
    assert raw in page.split("<details", 1)[1]
    page = press_test_connection(admin_client, site, language="fr")
    assert "PayPal a refusé ces réglages (serveurs de test)\u00a0: " in page and french in page
    assert "Original" not in page and raw in page  # PayPal's own words only in the details


def test_test_connection_says_when_paypal_cannot_be_reached(admin_client, site, settings):
    import socket

    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.PAYPAL_PAYFLOW_TEST_URL = f"http://127.0.0.1:{port}/"
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    page = press_test_connection(admin_client, site)
    assert "PayPal could not be reached (test servers). Try again in a moment." in page
    assert "Payflow could not be reached" in page.split("<details", 1)[1]
    french = press_test_connection(admin_client, site, language="fr")
    assert "PayPal est injoignable (serveurs de test)" in french


def test_test_connection_of_express_checkout_asks_for_the_permission(
    admin_client, site, paypal_sandbox
):
    kind = "express_checkout_us"
    admin_client.post(form_url(site, kind), {"paypal_email": "m@acme.example", "currency": "USD"})
    page = press_test_connection(admin_client, site, kind)
    assert "PayPal answered, but the API permission is not granted yet (test servers)" in page
    french = press_test_connection(admin_client, site, kind, language="fr")
    assert "la permission API n&#x27;est pas encore accordée (serveurs de test)" in french


def grant(admin_client, site, paypal_sandbox, decision):
    """Start the grant from the console, answer PayPal's consent page, follow the return."""
    import re
    from urllib.parse import urljoin, urlsplit

    import requests

    admin_client.post(
        form_url(site, "express_checkout_us"), {"paypal_email": "m@acme.example", "currency": "USD"}
    )
    page = admin_client.post(
        reverse("provider-grant", args=[site.slug, "events", "express_checkout_us"])
    ).content.decode()
    action_url = re.search(r'href="([^"]+)" rel="noreferrer"', page).group(1).replace("&amp;", "&")
    assert action_url.startswith(paypal_sandbox.base_url)
    consent = requests.get(action_url, timeout=10).text
    form_action = re.search(rf'<form method="post" action="([^"]+/{decision})"', consent).group(1)
    answer = requests.post(urljoin(action_url, form_action), allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse(
        "provider-grant-return", args=[site.slug, "events", "express_checkout_us"]
    )
    return admin_client.get(f"{back.path}?{back.query}", follow=True)


def test_grant_api_permission_round_trip(admin_client, site, paypal_sandbox):
    page = grant(admin_client, site, paypal_sandbox, "grant").content.decode()
    account = ExpressCheckoutAccount.objects.get(site=site)
    assert account.permission_status == "granted", page
    assert len(account.merchant_id_in_paypal) == 13
    assert "Permission granted on" in page


def test_refused_consent_is_recorded(admin_client, site, paypal_sandbox):
    page = grant(admin_client, site, paypal_sandbox, "decline").content.decode()
    account = ExpressCheckoutAccount.objects.get(site=site)
    assert account.permission_status == "refused"
    assert "not granted" in page


def test_a_forged_return_without_a_pending_request_changes_nothing(admin_client, site):
    admin_client.post(
        form_url(site, "express_checkout_us"), {"paypal_email": "m@acme.example", "currency": "USD"}
    )
    url = reverse("provider-grant-return", args=[site.slug, "events", "express_checkout_us"])
    admin_client.get(
        url,
        {
            "merchantIdInPayPal": "ABCDEFGHIJKLM",
            "permissionsGranted": "true",
            "consentStatus": "true",
        },
    )
    assert ExpressCheckoutAccount.objects.get(site=site).permission_status == "none"

"""Payment provider configuration: the four providers, secrets, production guard, PayPal calls."""

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


def test_valid_payflow_pro_save_makes_it_active_and_records_password_as_changed(admin_client, site):
    response = admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=SECRET))
    assert response.status_code == 302, response.content.decode()
    account = PayflowAccount.objects.get(site=site)
    assert account.cards == ["visa", "mastercard", "jcb"] and account.express_checkout
    assert account.password == SECRET
    assert CommerceSettings.for_site(site).provider == "payflow_pro"
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
    assert CommerceSettings.for_site(site).provider == "express_checkout_us"
    assert PayflowAccount.objects.get(site=site).password == SECRET
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password=""))
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
    response = admin_client.post(
        reverse("ecommerce-mode", args=[site.slug, "events"]), {"mode": "production"}
    )
    assert "Grant API permission to Webex on PayPal" in response.content.decode()
    assert CommerceSettings.for_site(site).mode == "test"


def test_production_is_accepted_once_payflow_is_complete(admin_client, site):
    enable_everything(site)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    response = admin_client.post(
        reverse("ecommerce-mode", args=[site.slug, "events"]), {"mode": "production"}
    )
    assert response.status_code == 302
    assert CommerceSettings.for_site(site).mode == "production"


def test_in_production_an_incomplete_provider_form_is_refused(admin_client, site):
    enable_everything(site)
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
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


# --- Against the PayPal simulator -------------------------------------------------------


def test_test_connection_reports_paypals_answer(admin_client, site, paypal_sandbox):
    admin_client.post(form_url(site, "payflow_pro"), payflow_data())
    url = reverse("provider-test-connection", args=[site.slug, "events", "payflow_pro"])
    page = admin_client.post(url, follow=True).content.decode()
    assert "Connection works." in page and "RESULT=19" in page
    admin_client.post(form_url(site, "payflow_pro"), payflow_data(password="wrong"))
    page = admin_client.post(url, follow=True).content.decode()
    assert "Connection failed." in page and "RESULT=1 " in page


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

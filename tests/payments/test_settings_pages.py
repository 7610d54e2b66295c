"""The E-Commerce settings pages: happy path, bad input, isolation, roles, CSRF, revisions."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import CommerceSettings, PayflowAccount
from sites.models import Revision

pytestmark = pytest.mark.django_db

PAGES = {
    "ecommerce-enable": {"events_enabled": "on"},
    "ecommerce-mode": {"mode": "test"},
    "ecommerce-business": {"business_name": "Acme Inc", "support_info": "help@acme.example"},
    "ecommerce-payment-page": {"header_text": "Welcome", "footer_text": "Thanks"},
}


def url(name, site, service="events"):
    return reverse(name, args=[site.slug, service])


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("service", ["events", "training"])
def test_each_page_renders_for_an_admin(admin_client, site, name, service):
    response = admin_client.get(url(name, site, service))
    assert response.status_code == 200
    assert b"Update" in response.content


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_404_for_another_sites_member(outsider_client, site, name):
    assert outsider_client.get(url(name, site)).status_code == 404
    assert outsider_client.post(url(name, site), PAGES[name]).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_403_for_an_organizer(organizer_client, site, name):
    assert organizer_client.get(url(name, site)).status_code == 403
    assert organizer_client.post(url(name, site), PAGES[name]).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_each_post_needs_the_csrf_token(admin, site, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(url(name, site), PAGES[name]).status_code == 403


def test_unknown_service_is_404(admin_client, site):
    assert admin_client.get(url("ecommerce-enable", site, "meetings")).status_code == 404


def test_enabling_events_applies_to_both_service_pages_and_writes_a_revision(
    admin_client, admin, site
):
    response = admin_client.post(url("ecommerce-enable", site), {"events_enabled": "on"})
    assert response.status_code == 302
    commerce = CommerceSettings.for_site(site)
    assert commerce.events_enabled and not commerce.training_enabled
    training_page = admin_client.get(url("ecommerce-enable", site, "training")).content.decode()
    assert 'name="events_enabled"' in training_page and "checked" in training_page
    revision = Revision.objects.for_site(site).get()
    assert revision.actor == admin
    assert revision.changes == [
        {"field": "events_enabled", "label": "Webex Events (classic)", "old": False, "new": True}
    ]


def test_an_update_without_change_writes_no_revision(admin_client, site):
    admin_client.post(url("ecommerce-mode", site), {"mode": "test"})
    assert not Revision.objects.for_site(site).exists()


def test_production_is_refused_with_reasons_while_incomplete(admin_client, site):
    response = admin_client.post(url("ecommerce-mode", site), {"mode": "production"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Production mode cannot be turned on yet" in body
    assert "Choose and configure a payment provider" in body
    assert CommerceSettings.for_site(site).mode == "test"


def test_an_incomplete_provider_is_named_before_its_reason_in_french(admin_client, shop):
    PayflowAccount.objects.filter(site=shop).update(cards=[], express_checkout=False)
    admin_client.cookies["django_language"] = "fr"
    body = admin_client.post(url("ecommerce-mode", shop), {"mode": "production"}).content.decode()
    assert "PayPal Payflow Pro\u00a0: " in body


def test_bad_mode_value_is_a_field_error(admin_client, site):
    response = admin_client.post(url("ecommerce-mode", site), {"mode": "live!"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


@pytest.mark.parametrize(
    "support, stored",
    [
        ("help@acme.example", "help@acme.example"),
        ("+1 408 555 0100", "+1 408-555-0100"),
        ("+33 1 42 68 53 00", "+33 1 42 68 53 00"),
    ],
)
def test_business_info_accepts_an_email_or_a_phone(admin_client, site, support, stored):
    response = admin_client.post(
        url("ecommerce-business", site), {"business_name": " Acme   Inc ", "support_info": support}
    )
    assert response.status_code == 302
    commerce = CommerceSettings.for_site(site)
    assert commerce.business_name == "Acme Inc"
    assert commerce.support_info == stored


@pytest.mark.parametrize("support", ["", "not an email", "help@", "12", "x" * 300])
def test_business_info_rejects_bad_support_info_and_keeps_the_input(admin_client, site, support):
    response = admin_client.post(
        url("ecommerce-business", site), {"business_name": "Acme Inc", "support_info": support}
    )
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert b'value="Acme Inc"' in response.content
    assert CommerceSettings.for_site(site).business_name == ""


def post_support(client, site, support: str, language: str = "en"):
    client.cookies["django_language"] = language
    return client.post(
        url("ecommerce-business", site), {"business_name": "Acme Inc", "support_info": support}
    )


def test_a_french_site_reads_a_national_number_as_french(admin_client, site):
    site.country = "FR"
    site.save()
    response = post_support(admin_client, site, "01 23 45 67 89", "fr")
    assert response.status_code == 302
    assert CommerceSettings.for_site(site).support_info == "+33 1 23 45 67 89"


def test_a_us_site_refuses_a_french_national_number_and_shows_a_us_example(admin_client, site):
    assert site.country == "US"
    response = post_support(admin_client, site, "01 23 45 67 89")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter an e-mail address or a phone number, e.g. (201) 555-0123 or +1 201-555-0123." in (
        body
    )
    assert CommerceSettings.for_site(site).support_info == ""
    assert post_support(admin_client, site, "(408) 555-0100").status_code == 302
    assert CommerceSettings.for_site(site).support_info == "+1 408-555-0100"


def test_the_example_follows_the_site_country_in_the_readers_language(admin_client, site):
    site.country = "FR"
    site.save()
    page = admin_client.get(url("ecommerce-business", site), HTTP_ACCEPT_LANGUAGE="fr")
    assert "pays du site, FR (par ex. 01 23 45 67 89)\u00a0;" in page.content.decode()
    body = post_support(admin_client, site, "(408) 555-0100", "fr").content.decode()
    assert "par ex. 01 23 45 67 89 ou +33 1 23 45 67 89." in body


@pytest.mark.parametrize("country", ["US", "FR"])
@pytest.mark.parametrize(
    "support", ["0\x001 23 45 67 89", "9" * 200, "+" + "9" * 200, "+33", "☎ 01 23", "0" * 254]
)
def test_junk_support_info_is_a_field_error_never_a_500(admin_client, site, country, support):
    site.country = country
    site.save()
    response = post_support(admin_client, site, support)
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert CommerceSettings.for_site(site).support_info == ""


def test_business_name_is_required(admin_client, site):
    response = admin_client.post(
        url("ecommerce-business", site), {"business_name": "   ", "support_info": "a@b.example"}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content


def test_payment_page_text_is_plain_text_in_the_preview(admin_client, site):
    script = "<script>alert(1)</script>\nLine two"
    admin_client.post(
        url("ecommerce-payment-page", site), {"header_text": script, "footer_text": ""}
    )
    response = admin_client.get(url("ecommerce-payment-page", site))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert CommerceSettings.for_site(site).header_text.splitlines() == script.splitlines()


def test_payment_page_text_too_long_is_a_field_error(admin_client, site):
    response = admin_client.post(
        url("ecommerce-payment-page", site), {"header_text": "x" * 2001, "footer_text": ""}
    )
    assert response.status_code == 200
    assert b"at most 2000 characters" in response.content


@pytest.mark.parametrize("name", PAGES)
def test_every_tab_says_whether_the_service_takes_payments(admin_client, site, name):
    """Training turned off reads so on every Training tab (with the way to turn it on), in the
    reader's language; Events, still on, says it is on."""
    commerce = CommerceSettings.for_site(site)
    commerce.events_enabled, commerce.training_enabled = True, False
    commerce.save()
    training = admin_client.get(url(name, site, "training")).content.decode()
    assert 'data-service-state="off"' in training
    assert "E-commerce is turned off for Webex Training" in training
    turn_on = f'class="alert-link" href="{url("ecommerce-enable", site, "training")}"'
    assert (turn_on in training) is (name != "ecommerce-enable")
    events = admin_client.get(url(name, site, "events")).content.decode()
    assert 'data-service-state="on"' in events
    assert "E-commerce is turned on for Webex Events" in events
    french = admin_client.get(
        url(name, site, "training"), headers={"accept-language": "fr"}
    ).content.decode()
    assert "L'e-commerce est désactivé pour Webex Training" in french

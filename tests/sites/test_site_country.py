"""A site's country (ISO 3166-1 alpha-2): set by ops in the Django admin, checked by the form and
by the database, derived from the language for existing sites, set in the demo data."""

import importlib
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client():
    ops = get_user_model().objects.create_superuser("ops-country", "ops@example.com", "x")
    client = Client()
    client.force_login(ops)
    return client


def site_data(**fields) -> dict:
    data = {
        "slug": "initech",
        "name": "Initech",
        "time_zone": "Europe/Paris",
        "language": "fr",
        "currency": "EUR",
        "country": "FR",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_ops_create_a_site_with_its_country(ops_client):
    response = ops_client.post(reverse("admin:sites_site_add"), site_data())
    assert response.status_code == 302
    assert Site.objects.get(slug="initech").country == "FR"


@pytest.mark.parametrize("country", ["fr", "ZZ", "F", "FRA", "F1", "\x00F", "", "XK1"])
def test_ops_get_a_field_error_for_a_country_that_is_not_a_code(ops_client, country):
    response = ops_client.post(reverse("admin:sites_site_add"), site_data(country=country))
    assert response.status_code == 200
    assert "country" in response.context["adminform"].form.errors
    assert not Site.objects.filter(slug="initech").exists()


def test_ops_change_a_site_country_and_see_it_in_the_list(ops_client, site):
    url = reverse("admin:sites_site_change", args=[site.pk])
    response = ops_client.post(url, site_data(slug=site.slug, country="CA"))
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.country == "CA"
    listing = ops_client.get(reverse("admin:sites_site_changelist") + "?country=CA")
    assert site.slug in listing.content.decode()


@pytest.mark.parametrize("country", ["fr", "F1", "F"])
def test_the_database_refuses_a_country_that_is_not_two_capitals(site, country):
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(country=country)


def test_existing_french_sites_become_french_the_others_stay_us(make_site):
    french = make_site("globex", language="fr")
    english = make_site("acme", language="en")
    Site.objects.update(country="US")  # as the column's default left them
    migration = importlib.import_module("sites.migrations.0005_site_country")
    migration.french_sites_are_in_france(apps, None)
    assert Site.objects.get(pk=french.pk).country == "FR"
    assert Site.objects.get(pk=english.pk).country == "US"


def test_the_demo_sites_have_their_country(settings):
    settings.ALLOW_DEMO_DATA = True
    call_command("load_demo", stdout=io.StringIO())
    countries = dict(Site.objects.values_list("slug", "country"))
    assert countries == {"acme": "US", "globex": "FR", "initech": "US"}

"""History: what changed is stored as data and read in the reader's language and the site's
time zone; no entry for a no-op; filters by area and person; pages."""

from __future__ import annotations

import html
import importlib
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from promocodes.models import PromoCode
from sites import history
from sites.models import Revision, Session

pytestmark = pytest.mark.django_db


def history_url(site, **query) -> str:
    url = reverse("site-history", args=[site.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read(client: Client, url: str, language: str = "en") -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def visible(body: str) -> str:
    """The page's text as a reader sees it (no tags, no attribute values)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def save_gb_provider(client: Client, site, language: str = "en", **overrides):
    """Website Payments Pro (GB), Payflow edition, through the real provider form."""
    data = {
        "partner": "PayPalUK",
        "vendor": "acmegb",
        "user": "acmegb",
        "password": "pilot-pass-1",
        "account_type": "wpp_payflow_edition",
        "cards": ["visa_debit_electron", "mastercard"],
        "currency": "GBP",
    } | overrides
    client.cookies["django_language"] = language
    url = reverse("provider-form", args=[site.slug, "events", "website_payments_pro_gb"])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def extend(client: Client, site, ids, until: date, language: str = "en"):
    client.cookies["django_language"] = language
    url = reverse("promocode-action", args=[site.slug, "events"])
    data = {"action": "extend", "ids": [str(i) for i in ids], "until": f"{until:%d/%m/%Y}"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def make_code(site, code: str, expires_on: date, **fields) -> PromoCode:
    return PromoCode.objects.create(
        site=site,
        code=code,
        service="events",
        discount_type="percent",
        discount_value=Decimal("10"),
        expires_on=expires_on,
        max_uses=1,
        **fields,
    )


# --- Stored as data, read in the reader's language ----------------------------------------


def test_choices_are_stored_as_values_and_shown_by_name(admin_client, site):
    save_gb_provider(admin_client, site)
    use = reverse("provider-use", args=[site.slug, "events", "website_payments_pro_gb"])
    assert admin_client.post(use).status_code == 302  # the switch is its own entry
    revision = Revision.objects.get(site=site, area="provider.website_payments_pro_gb")
    changes = {c["field"]: c for c in revision.changes}
    assert changes["account_type"]["new"] == "wpp_payflow_edition"
    assert changes["cards"]["new"] == ["visa_debit_electron", "mastercard"]
    assert changes["cards"]["choices"]["visa_debit_electron"] == "Visa/Debit/Electron"
    body = read(admin_client, history_url(site))
    assert "Payment provider — PayPal Website Payments Pro (GB)" in body
    assert "E-commerce — active payment provider" in body
    shown = visible(body)
    for code in ("wpp_payflow_edition", "website_payments_pro_gb", "visa_debit_electron"):
        assert code not in shown
    assert "Website Payments Pro Payflow Edition" in body
    assert "Visa/Debit/Electron, MasterCard" in body


def test_an_entry_written_in_french_reads_in_english_and_vice_versa(admin_client, site):
    save_gb_provider(admin_client, site, language="fr")
    code = make_code(site, "FRENCH1", date.today() + timedelta(days=10))
    extend(admin_client, site, [code.pk], date.today() + timedelta(days=40), language="fr")
    save_gb_provider(admin_client, site, language="en", vendor="acmegb2")

    english = read(admin_client, history_url(site), "en")
    french = read(admin_client, history_url(site), "fr")
    assert "Promo codes — extend expiry" in english
    assert "Extended 1 promotional codes until" in english
    assert "Codes promotionnels — prolongation de l’expiration" in french
    assert "Codes promotionnels — prolongation" not in english
    assert "Payment provider — PayPal Website Payments Pro (GB)" in english
    assert "Fournisseur de paiement — PayPal Website Payments Pro (Royaume-Uni)" in french
    # Labels, choice names and empty values follow the reader, whoever wrote the entry.
    assert "(empty)" in english and "(vide)" not in english
    assert "(vide)" in french and "(empty)" not in french
    assert "Expiration date" in english and "Date d&#x27;expiration" in french
    assert "Cards accepted" in english and "Visa/Debit/Electron, MasterCard" in english
    assert "Cartes acceptées" in french and "Visa/Débit/Electron, MasterCard" in french
    revision = Revision.objects.get(site=site, area="promocodes.extend")
    assert set(revision.summaries) == {"en", "fr"}
    assert revision.summaries["en"] in visible(english)
    assert revision.summaries["fr"] in visible(french)


def test_yes_no_and_decimals_follow_the_reader(admin_client, site):
    history.record(
        site,
        None,
        "ecommerce.services",
        [
            history.field_change("Webex Events (classic)", False, True, field="events_enabled"),
            history.field_change("fee", Decimal("25.00"), Decimal("1234.50"), field="fee"),
        ],
    )
    english = read(admin_client, history_url(site), "en")
    french = read(admin_client, history_url(site), "fr")
    assert "No</span>" in english and "Yes" in english
    assert "Non</span>" in french and "Oui" in french
    assert "25.00" in english and "1,234.50" in english
    assert "25,00" in french and "1\u00a0234,50" in french  # grouped, non-breaking


def test_times_are_in_the_site_time_zone(admin_client, site):
    # Acme is in New York: 15:30 UTC on 15 January is 10:30 there.
    moment = datetime(2030, 1, 15, 15, 30, tzinfo=UTC)
    revision = history.record(
        site,
        None,
        "sessions",
        [history.field_change(Session._meta.get_field("starts_at"), None, moment)],
    )
    Revision.objects.filter(pk=revision.pk).update(created_at=moment)
    body = read(admin_client, history_url(site))
    assert body.count("15/01/2030 10:30") == 2  # when, and the start time changed
    assert "15:30" not in body
    assert "America/New_York" in body


# --- No entry for a no-op -------------------------------------------------------------------


def test_an_update_that_changes_nothing_writes_nothing(admin_client, site):
    save_gb_provider(admin_client, site)
    count = Revision.objects.for_site(site).count()
    save_gb_provider(admin_client, site)
    save_gb_provider(admin_client, site, password="")  # empty keeps the saved password
    business = reverse("ecommerce-business", args=[site.slug, "events"])
    data = {"business_name": "Acme Inc", "support_info": "help@acme.example"}
    admin_client.post(business, data)
    admin_client.post(business, data)
    assert Revision.objects.for_site(site).count() == count + 1
    assert history.record(site, None, "sessions", [history.field_change("title", "a", "a")]) is None


def test_extending_or_deleting_nothing_writes_nothing(admin_client, site):
    gone = make_code(site, "GONE1", date.today() + timedelta(days=5), status="deleted")
    extend(admin_client, site, [gone.pk], date.today() + timedelta(days=40))
    url = reverse("promocode-action", args=[site.slug, "events"])
    admin_client.post(url, {"action": "delete", "ids": [str(gone.pk)]})
    assert not Revision.objects.for_site(site).exists()


# --- Extend records the old dates ---------------------------------------------------------


def test_extend_records_the_old_date(admin_client, site):
    old = date.today() + timedelta(days=10)
    new = date.today() + timedelta(days=40)
    code = make_code(site, "ONE1", old)
    extend(admin_client, site, [code.pk], new)
    change = Revision.objects.get(site=site, area="promocodes.extend").changes[0]
    assert change == {
        "field": "expires_on",
        "label": "expiration date",
        "old": old.isoformat(),
        "new": new.isoformat(),
        "type": "date",
    }
    body = read(admin_client, history_url(site))
    assert f"{old:%d/%m/%Y}</span>" in body and f"{new:%d/%m/%Y}" in body
    assert "∅" not in body


def test_extend_of_codes_with_different_dates_records_the_span(admin_client, site):
    first, last = date.today() + timedelta(days=3), date.today() + timedelta(days=9)
    codes = [make_code(site, "SPAN1", first), make_code(site, "SPAN2", last)]
    extend(admin_client, site, [c.pk for c in codes], date.today() + timedelta(days=40))
    change = Revision.objects.get(site=site, area="promocodes.extend").changes[0]
    assert change["old"] == {"from": first.isoformat(), "to": last.isoformat()}
    assert f"{first:%d/%m/%Y} – {last:%d/%m/%Y}" in read(admin_client, history_url(site))


def test_soft_delete_records_statuses_by_name(admin_client, site):
    code = make_code(site, "DEL1", date.today() + timedelta(days=5))
    url = reverse("promocode-action", args=[site.slug, "events"])
    admin_client.post(url, {"action": "delete", "ids": [str(code.pk)]})
    change = Revision.objects.get(site=site, area="promocodes.delete").changes[0]
    assert (change["old"], change["new"]) == (["active"], ["deleted"])
    french = read(admin_client, history_url(site), "fr")
    assert "Codes promotionnels — suppression" in french
    assert ">deleted<" not in french and "active</span>" not in french


# --- Rows written before values were data ------------------------------------------------


def test_rows_stored_as_text_still_display(admin_client, site):
    Revision.objects.create(
        site=site,
        area="promocodes.extend",
        summary="Prolongé 3 codes promotionnels.",
        changes=[
            {"field": "expires_on", "label": "Date d'expiration", "old": "", "new": "01/02/2031"}
        ],
    )
    body = read(admin_client, history_url(site))
    assert "Prolongé 3 codes promotionnels." in body
    assert "Date d&#x27;expiration" in body and "01/02/2031" in body


# --- Filters and pages ------------------------------------------------------------------


@pytest.fixture
def bob(make_member, site):
    return make_member("bob", site, "admin")


def fill(site, admin, bob):
    history.record(site, admin, "ecommerce.mode", [history.field_change("mode", "test", "x")])
    history.record(site, bob, "ecommerce.business", [history.field_change("name", "a", "b")])
    history.record(site, None, "promocodes.expiry", [], summary="3 promotional codes expired.")


def rows(body: str) -> list[str]:
    return [part.split('"', 1)[0] for part in body.split('data-area="')[1:]]


def test_filter_by_area_and_by_person(admin_client, site, admin, bob):
    fill(site, admin, bob)
    assert rows(read(admin_client, history_url(site))) == [
        "promocodes.expiry",
        "ecommerce.business",
        "ecommerce.mode",
    ]
    assert rows(read(admin_client, history_url(site, area="ecommerce.mode"))) == ["ecommerce.mode"]
    assert rows(read(admin_client, history_url(site, person=bob.pk))) == ["ecommerce.business"]
    assert rows(read(admin_client, history_url(site, person="automatic"))) == ["promocodes.expiry"]
    body = read(admin_client, history_url(site, area="ecommerce.mode", person=bob.pk))
    assert rows(body) == [] and "No change matches these filters." in body
    french = read(admin_client, history_url(site), "fr")
    assert "Tous les domaines" in french and "Automatique (sans personne)" in french
    assert "E-commerce — mode de fonctionnement" in french


def test_filters_offer_only_this_sites_areas_and_people(
    admin_client, site, other_site, admin, bob, outsider
):
    fill(site, admin, bob)
    history.record(other_site, outsider, "api.keys", [], summary="API key created")
    body = read(admin_client, history_url(site))
    assert 'value="api.keys"' not in body and outsider.username not in body
    assert f'value="{bob.pk}"' in body


def test_a_filter_value_not_offered_is_a_field_error(admin_client, site, admin, bob, outsider):
    fill(site, admin, bob)
    body = read(admin_client, history_url(site, area="nope", person=outsider.pk))
    assert body.count("Select a valid choice") == 2
    assert len(rows(body)) == 3
    body = read(admin_client, history_url(site, area="ecommerce.mode", person="abc"))
    assert rows(body) == ["ecommerce.mode"]


def test_pages_of_fifty_keep_the_filters_and_show_controls_only_when_needed(
    admin_client, site, admin
):
    history.record(site, admin, "ecommerce.mode", [history.field_change("mode", "a", "b")])
    assert 'class="pagination"' not in read(admin_client, history_url(site))
    Revision.objects.bulk_create(
        history.build(site, admin, "ecommerce.business", [history.field_change("n", i, i + 1)])
        for i in range(55)
    )
    first = read(admin_client, history_url(site, area="ecommerce.business"))
    assert len(rows(first)) == 50 and 'class="pagination"' in first
    assert "?area=ecommerce.business&amp;page=2" in first
    second = read(admin_client, history_url(site, area="ecommerce.business", page=2))
    assert len(rows(second)) == 5 and "Page 2 of 2" in second
    assert len(rows(read(admin_client, history_url(site, page=999)))) == 6
    assert len(rows(read(admin_client, history_url(site, page="abc")))) == 50


def test_another_sites_history_is_404_whatever_the_filters(outsider_client, site, admin):
    history.record(site, admin, "ecommerce.mode", [history.field_change("mode", "a", "b")])
    for query in ({}, {"area": "ecommerce.mode"}, {"person": admin.pk}, {"page": 2}):
        assert outsider_client.get(history_url(site, **query)).status_code == 404


# --- The ops admin shows the same rendering ----------------------------------------------


def test_admin_revision_view_renders_like_the_history_page(site):
    superuser = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-ops")
    revision = history.record(
        site,
        None,
        "promocodes.delete",
        [history.field_change(PromoCode._meta.get_field("status"), ["active"], ["deleted"])],
        summary=lambda: "Deleted 1 promotional code.",
    )
    moment = datetime(2030, 1, 15, 15, 30, tzinfo=UTC)
    Revision.objects.filter(pk=revision.pk).update(created_at=moment)
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:sites_revision_change", args=[revision.pk])
    english = read(client, url, "en")
    assert "Promo codes — delete" in english and "Active → Deleted" in english
    assert "15/01/2030 10:30 (America/New_York)" in english
    french = read(client, url, "fr")
    assert "Codes promotionnels — suppression" in french
    listing = read(client, reverse("admin:sites_revision_changelist"), "en")
    assert "Promo codes — delete" in listing


def test_legacy_ticks_become_booleans_read_in_each_language(admin_client, site):
    from django.apps import apps

    migration = importlib.import_module("sites.migrations.0003_revision_legacy_booleans")
    legacy = Revision.objects.create(
        site=site,
        area="ecommerce.services",
        changes=[
            {"field": "events_enabled", "label": "Webex Events (classic)", "old": "✗", "new": "✓"},
            {"field": "business_name", "label": "Business name", "old": "", "new": "Acme"},
        ],
    )
    migration.booleans_as_data(apps, None)
    legacy.refresh_from_db()
    assert [(c["old"], c["new"]) for c in legacy.changes] == [(False, True), ("", "Acme")]
    assert "Non" in visible(read(admin_client, history_url(site), "fr"))

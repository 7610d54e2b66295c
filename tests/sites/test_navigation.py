"""The site navigation and the home page render what the apps registered (sites.navigation).

The ground floor names no app above it: the links below come from each app's
``AppConfig.ready()``.
"""

from __future__ import annotations

import re

import pytest
from django.utils.translation import gettext_lazy as _

from sites import navigation as nav

pytestmark = pytest.mark.django_db


def sidebar(html: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """[(heading, [(label, href, bold)])] of the site navigation of a page."""
    nav_html = re.search(r'<nav aria-label="Site">(.*?)</nav>', html, re.S).group(1)
    sections = []
    for heading, body in re.findall(
        r'<h3 class="h6 mt-3">(.*?)</h3>\s*<ul[^>]*>(.*?)</ul>', nav_html, re.S
    ):
        links = [
            (label, href, "fw-bold" in classes)
            for classes, href, label in re.findall(
                r'<a class="([^"]*)" href="([^"]*)">(.*?)</a>', body
            )
        ]
        sections.append((heading, links))
    return sections


def test_an_administrator_sees_every_registered_entry_in_order(admin_client, site):
    html = admin_client.get(f"/s/{site.slug}/transactions/").content.decode()
    assert sidebar(html) == [
        (
            "Configuration",
            [
                ("Webex Events › E-Commerce", "/s/acme/events/ecommerce/", False),
                ("Webex Training › E-Commerce", "/s/acme/training/ecommerce/", False),
                ("History", "/s/acme/history/", False),
                ("API keys", "/s/acme/api-keys/", False),
            ],
        ),
        (
            "Reports",
            [
                ("Promotional Codes Report", "/s/acme/events/ecommerce/promocodes/report/", False),
                ("Transactions report", "/s/acme/transactions/", True),
            ],
        ),
        ("Sessions", [("Priced sessions", "/s/acme/sessions/", False)]),
    ]


def test_the_page_of_a_service_marks_that_service_and_links_its_report(admin_client, site):
    html = admin_client.get(
        f"/s/{site.slug}/training/ecommerce/promocodes/report/"
    ).content.decode()
    sections = dict(sidebar(html))
    assert ("Webex Training › E-Commerce", "/s/acme/training/ecommerce/", True) in sections[
        "Configuration"
    ]
    assert sections["Reports"][0] == (
        "Promotional Codes Report",
        "/s/acme/training/ecommerce/promocodes/report/",
        True,
    )


def test_an_organizer_sees_no_configuration(organizer_client, site):
    html = organizer_client.get(f"/s/{site.slug}/").content.decode()
    assert [heading for heading, _links in sidebar(html)] == ["Reports", "Sessions"]
    assert "/history/" not in html and "/api-keys/" not in html
    assert "Sessions and payments" in html and '<h2 class="h5">Configuration</h2>' not in html


def test_an_unprovisioned_site_shows_only_what_needs_no_provisioning(admin_client, site):
    site.ecommerce_provisioned = False
    site.save()
    html = admin_client.get(f"/s/{site.slug}/").content.decode()
    assert [heading for heading, _links in sidebar(html)] == ["Configuration"]


def test_the_home_page_cards_in_french(admin_client, site):
    html = admin_client.get(f"/s/{site.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    cards = re.findall(r'<h2 class="h5">(.*?)</h2>\s*<ul>(.*?)</ul>', html, re.S)
    assert [(title, re.findall(r">([^<]+)</a>", body)) for title, body in cards] == [
        (
            "Configuration",
            ["Webex Events › E-Commerce", "Webex Training › E-Commerce", "Historique"],
        ),
        ("Sessions et paiements", ["Sessions payantes", "Rapport des transactions"]),
    ]


@pytest.fixture
def extra_entries():
    added = [
        nav.Section(nav.SIDEBAR, "extra", _("Extra"), 5),
        nav.Link(nav.SIDEBAR, "extra", "extra-history", "Audit", "site-history", 1),
    ]
    nav.register(*added)
    yield added
    for entry in added:
        registry = nav._sections if isinstance(entry, nav.Section) else nav._links
        del registry[(entry.menu, entry.key)]


def test_a_registered_entry_appears_without_touching_the_templates(
    admin_client, site, extra_entries
):
    html = admin_client.get(f"/s/{site.slug}/").content.decode()
    assert sidebar(html)[0] == ("Extra", [("Audit", "/s/acme/history/", False)])


def test_a_link_under_an_unregistered_section_is_an_error(admin, site):
    from sites.models import Membership

    key = (nav.SIDEBAR, "orphan")
    nav.register(nav.Link(nav.SIDEBAR, "nowhere", "orphan", "Orphan", "site-history", 1))
    try:
        with pytest.raises(LookupError, match="no section 'nowhere'"):
            nav.menu(nav.SIDEBAR, {"site": site, "membership": Membership.objects.get(user=admin)})
    finally:
        del nav._links[key]

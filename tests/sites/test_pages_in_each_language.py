"""Every console page and the public payment pages, read in each language: French pages write
French typography (what the catalog gets right can still be undone by a template that glues
``:`` to a translated label), and every date a person types is asked for in the page's own
format words (``dd/mm/yyyy`` in English, ``jj/mm/aaaa`` in French, never the two mixed).

The pages are found by the security suite's URLconf walk, over one row of everything."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests import french_typography
from tests.security import urlwalk
from tests.security.conftest import populate

pytestmark = pytest.mark.django_db

# The format words of each language, and the other language's, which must never show.
FORMAT_WORDS = {
    "en": (re.compile(r"dd/mm/yyyy( HH:MM)?"), re.compile(r"jj/mm|aaaa|hh:mm")),
    "fr": (re.compile(r"jj/mm/aaaa( hh:mm)?"), re.compile(r"dd/mm|yyyy|HH:MM")),
}
# Inputs where a date is typed: the report filters, the Extend until box, a code's expiry,
# a session's start.
DATE_INPUTS = re.compile(r"(date|created|expires)_(from|to)|^until$|^expires_on$|^starts_at$")


def pages(client: Client, site, data, language: str) -> dict[str, str]:
    """Each HTML page an administrator can GET, in ``language``: its URL and its HTML."""
    client.cookies["django_language"] = language
    probe = lambda url: client.get(url).status_code  # noqa: E731
    urls = [
        urlwalk.resolve(case, site, probe=probe)
        for case in urlwalk.cases(console=True)
        if case.route.accepts_get
    ]
    urls += [
        reverse("payment-page", args=[site.slug, data.session.pk]),
        reverse("payment-done", args=[data.payment.public_token]),
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        assert response["Content-Language"] == language, url
        found[url] = response.content.decode()
    return found


class _Inputs(HTMLParser):
    """The inputs of a page, each as its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


@pytest.fixture
def world(site, admin, paypal_sandbox):
    data = populate(site, admin)
    client = Client()
    client.force_login(admin)
    return client, site, data


def test_french_pages_put_a_non_breaking_space_before_high_punctuation(world):
    found = pages(*world, "fr")
    assert len(found) > 20
    wrong = {
        url: faults
        for url, html in found.items()
        if (faults := french_typography.faults(french_typography.page_text(html)))
    }
    assert wrong == {}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_date_input_asks_in_the_page_language(world, language):
    own, other = FORMAT_WORDS[language]
    date_inputs, mixed = [], {}
    for url, html in pages(*world, language).items():
        if other.search(html):
            mixed[url] = other.findall(html)
        parser = _Inputs()
        parser.feed(html)
        for field in parser.inputs:
            if DATE_INPUTS.search(field.get("name", "")):
                date_inputs.append((url, field["name"], field.get("placeholder", "")))
    assert mixed == {}
    names = {name for _, name, _ in date_inputs}
    # Every page that types a date was reached: reports, Extend until, Create, sessions.
    assert {"date_from", "created_from", "until", "expires_on", "starts_at"} <= names
    assert [(url, name, p) for url, name, p in date_inputs if not own.fullmatch(p)] == []

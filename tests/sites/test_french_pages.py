"""Every console page and the public payment pages, read in French, write French typography:
what the catalog gets right can still be undone by a template that glues ``:`` to a translated
label. The pages are found by the security suite's URLconf walk, over one row of everything."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import french_typography
from tests.security import urlwalk
from tests.security.conftest import populate

pytestmark = pytest.mark.django_db


def french_pages(client: Client, site, data) -> dict[str, str]:
    """Each French HTML page an administrator can GET: its URL and what a reader sees of it."""
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
    pages = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        assert response["Content-Language"] == "fr", url
        pages[url] = french_typography.page_text(response.content.decode())
    return pages


def test_french_pages_put_a_non_breaking_space_before_high_punctuation(site, admin, paypal_sandbox):
    data = populate(site, admin)
    client = Client()
    client.force_login(admin)
    client.cookies["django_language"] = "fr"
    pages = french_pages(client, site, data)
    assert len(pages) > 20
    wrong = {url: found for url, text in pages.items() if (found := french_typography.faults(text))}
    assert wrong == {}

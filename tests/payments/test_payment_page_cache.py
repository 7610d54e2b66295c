"""The payment page's shared data (site, session, settings, active account) is kept in the
shared cache, and its shared HTML in each process under the data's version: every Update
through the console shows on the next GET, in this process and in another one; the provider's
password never enters the cache, and no CSRF token, attempt or typed data enters the shared
HTML."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from payments import page_cache, page_fragments
from payments.models import PayflowAccount

from .test_payment_page import approve_on_paypal, cancel_on_our_page, form_data, page_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def page(client, session) -> str:
    response = client.get(page_url(session))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_business_name_shows_on_the_next_get(client, admin_client, priced_session):
    site = priced_session.site
    assert "Acme Events" in page(client, priced_session)
    response = admin_client.post(
        reverse("ecommerce-business", args=[site.slug, "events"]),
        {"business_name": "Globex Events", "support_info": "help@globex.example"},
    )
    assert response.status_code == 302
    body = page(client, priced_session)
    assert "Globex Events" in body and "help@globex.example" in body
    assert "Acme Events" not in body


def test_a_provider_update_shows_on_the_next_get(client, admin_client, priced_session):
    site = priced_session.site
    body = page(client, priced_session)
    assert "Pay with PayPal" in body and 'value="amex"' in body
    response = admin_client.post(
        reverse("provider-form", args=[site.slug, "events", "payflow_pro"]),
        {
            "partner": "PayPal",
            "vendor": "acmedemo",
            "user": "acmedemo",
            "password": "",  # kept as it is
            "account_type": "payflow_pro",
            "cards": ["visa"],
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    body = page(client, priced_session)
    assert "Pay with PayPal" not in body
    assert 'value="visa"' in body and 'value="amex"' not in body


def test_a_new_session_fee_shows_on_the_next_get(client, admin_client, priced_session):
    site = priced_session.site
    assert "$100.00" in page(client, priced_session)
    response = admin_client.post(
        reverse("session-edit", args=[site.slug, priced_session.pk]),
        {
            "title": priced_session.title,
            "service": "events",
            "kind": "event_recording",
            "program": "",
            "starts_at": "",
            "fee": "75.50",
        },
    )
    assert response.status_code == 302, response.content.decode()
    body = page(client, priced_session)
    assert "$75.50" in body and "$100.00" not in body


def test_a_deleted_session_is_gone_on_the_next_get(client, priced_session):
    page(client, priced_session)
    url = page_url(priced_session)
    priced_session.delete()
    assert client.get(url).status_code == 404


def test_the_cached_account_holds_no_secret(client, priced_session):
    page(client, priced_session)
    key = page_cache._entry_key(priced_session.site.slug, priced_session.pk)
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).get(
        f":1:{key}"  # Django's key prefix and version
    )
    assert raw and b"acmedemo" in raw  # the entry is there, with the account's login
    assert b"pilot-pass-1" not in raw
    stored = PayflowAccount.objects.get(site=priced_session.site).password
    assert stored.encode() not in raw
    account = page_cache.page_for(priced_session.site.slug, priced_session.pk).offer.account
    assert "password" in account.get_deferred_fields()


@pytest.mark.django_db(transaction=True)
def test_an_update_saved_by_another_process_shows_on_the_next_get(client, priced_session):
    """Two processes, one shared cache: this one keeps the page, the other saves."""
    assert "Acme Events" in page(client, priced_session)
    database = settings.DATABASES["default"]
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    url = (
        f"postgres://{database['USER'] or 'postgres'}{password}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    script = (
        "from payments.models import CommerceSettings\n"
        f"commerce = CommerceSettings.objects.get(site__slug={priced_session.site.slug!r})\n"
        "commerce.business_name = 'Initech Events'\n"
        "commerce.save()\n"
    )
    completed = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        env={**os.environ, "TEST_DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    body = page(client, priced_session)
    assert "Initech Events" in body and "Acme Events" not in body


def attempt_of(body: str) -> str:
    return re.search(r'name="attempt" value="([^"]+)"', body).group(1)


def test_the_shared_fragments_hold_no_token_no_attempt_and_nothing_typed(client, priced_session):
    first, second = page(client, priced_session), page(client, priced_session)
    assert attempt_of(first) != attempt_of(second)  # each GET its own attempt
    assert first.count('name="csrfmiddlewaretoken"') == 2  # the form's and the language menu's
    shared = page_cache.page_for(priced_session.site.slug, priced_session.pk)
    fragments = page_fragments.fragments_for(shared, "en")
    assert fragments is not None
    for html in (fragments.head, fragments.fields, fragments.foot):
        assert html and html in second  # the page is made of them
        assert "csrfmiddlewaretoken" not in html and 'name="attempt"' not in html
        assert attempt_of(second) not in html
    name_input = re.search(r'<input[^>]*name="attendee_name"[^>]*>', fragments.fields).group(0)
    assert "value=" not in name_input  # the empty form


def test_the_fragments_follow_the_language_of_the_page(client, priced_session):
    assert "Your name" in page(client, priced_session)
    client.cookies["django_language"] = "fr"
    body = page(client, priced_session)
    assert "Votre nom" in body and "Your name" not in body


def test_what_a_browser_typed_before_cancelling_is_never_shared(
    client, priced_session, paypal_sandbox
):
    """Back from a cancelled PayPal checkout without a code, the browser sees its own name
    again (rendered for it, not the shared empty form); the next attendee sees the empty form."""
    page(client, priced_session)  # the shared parts are kept
    data = form_data(client, priced_session, action="pay_paypal")
    data.update(attendee_name="Grace Typed", attendee_email="grace@example.org")
    approval = client.post(page_url(priced_session), data)["Location"]
    cancel_on_our_page(client, approve_on_paypal(approval, "cancel"))
    assert 'value="Grace Typed"' in page(client, priced_session)
    assert "Grace Typed" not in page(Client(), priced_session)

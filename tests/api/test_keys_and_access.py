"""API keys: the page (shown once, hashed, History, revoke, the organizer rule), what a key
may do, throttling with Retry-After, and the OpenAPI document itself."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from api.models import ApiKey
from sites.models import Membership, Revision
from tests.api.conftest import api_url
from tests.api.openapi import document

pytestmark = pytest.mark.django_db


def keys_url(site):
    return reverse("api-keys", args=[site.slug])


def test_admin_creates_a_key_shown_once_and_stored_hashed(site, admin_client, admin, api_client):
    response = admin_client.post(
        keys_url(site), {"name": "CRM", "holder": admin.pk, "scope": "write"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    plain = response.context["new_key"]
    assert plain.startswith("wxk_") and plain in response.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in admin_client.get(keys_url(site)).content.decode()
    revision = Revision.objects.get(site=site, area="api.keys")
    assert revision.actor == admin and plain not in str(revision.changes) + revision.summary
    # The key works, and its use is recorded.
    assert api_client(plain).get(api_url(site, "commerce/")).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_revoked_key_is_refused_and_the_revocation_is_history(
    site, admin_client, admin, make_key, api_client
):
    plain = make_key(site, admin)
    key = ApiKey.objects.get()
    response = admin_client.post(reverse("api-key-revoke", args=[site.slug, key.pk]))
    assert response.status_code == 302
    assert Revision.objects.filter(site=site, summary__contains="revoked").count() == 1
    answer = api_client(plain).get(api_url(site, "commerce/"))
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["error"]["code"] == "authentication_failed"


def test_an_organizer_may_only_hold_a_read_only_key(site, admin_client, organizer):
    response = admin_client.post(
        keys_url(site), {"name": "Books", "holder": organizer.pk, "scope": "write"}
    )
    assert response.status_code == 200 and "scope" in response.context["form"].errors
    assert not ApiKey.objects.exists()
    admin_client.post(keys_url(site), {"name": "Books", "holder": organizer.pk, "scope": "read"})
    assert ApiKey.objects.get().holder == organizer


def test_organizers_cannot_manage_keys(site, organizer_client):
    assert organizer_client.get(keys_url(site)).status_code == 403


def test_the_page_reads_in_french(site, admin_client):
    with translation.override("fr"):
        admin_client.cookies["django_language"] = "fr"
        response = admin_client.get(keys_url(site), HTTP_ACCEPT_LANGUAGE="fr")
    body = response.content.decode()
    assert "Clés d’API" in body and "Créer une clé" in body


def test_read_only_key_reads_but_never_writes(site, reader):
    assert reader.get(api_url(site, "sessions/")).status_code == 200
    response = reader.post(api_url(site, "sessions/"), {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_demoted_holders_write_key_only_reads(site, admin, make_key, api_client):
    plain = make_key(site, admin, "write")
    Membership.objects.filter(user=admin, site=site).update(role="organizer")
    client = api_client(plain)
    assert client.get(api_url(site, "sessions/")).status_code == 200
    assert client.post(api_url(site, "sessions/"), {}).status_code == 403


def test_a_holder_who_left_the_site_is_refused(site, admin, make_key, api_client):
    plain = make_key(site, admin, "write")
    Membership.objects.filter(user=admin, site=site).delete()
    assert api_client(plain).get(api_url(site, "sessions/")).status_code == 401


def test_unknown_or_malformed_keys_are_401(site, api_client):
    for header in ("Bearer wxk_nope_nope", "Bearer", "Bearer a b"):
        response = api_client(HTTP_AUTHORIZATION=header).get(api_url(site, "sessions/"))
        assert response.status_code == 401, header


def test_an_unprovisioned_site_answers_403(make_site, make_member, make_key, api_client):
    quiet = make_site("quiet", ecommerce_provisioned=False)
    plain = make_key(quiet, make_member("quinn", quiet))
    response = api_client(plain).get(api_url(quiet, "sessions/"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "site_not_provisioned"


def test_rate_limit_answers_429_with_retry_after(site, writer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/minute"},
    }
    statuses = [writer.get(api_url(site, "sessions/")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = writer.get(api_url(site, "sessions/"))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_console_session_works_with_csrf_and_is_refused_without(site, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(api_url(site, "sessions/")).status_code == 200
    body = {"title": "T", "service": "events", "kind": "event_recording", "fee": "1"}
    refused = client.post(api_url(site, "sessions/"), body, content_type="application/json")
    assert refused.status_code == 403
    client.get(reverse("api-keys", args=[site.slug]))
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        api_url(site, "sessions/"), body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_the_document_is_served_valid_and_documents_every_error(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    spec = document()  # validated by openapi-spec-validator
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404", "429"} <= set(operation["responses"]), (path, method)


def test_docs_pages_use_our_static_files_only(client):
    for name in ("api-docs", "api-redoc"):
        body = client.get(reverse(name)).content.decode()
        assert "/static/drf_spectacular_sidecar/" in body
        assert "https://" not in body and "<style" not in body

"""Fixtures of the API tests: keys of each scope and holder, and validating clients."""

from __future__ import annotations

import pytest

from tests.api.openapi import ValidatingClient


@pytest.fixture
def make_key(db):
    from api import keys

    def make(site, holder, scope="write", name="CRM"):
        return keys.create_key(site, holder, name=name, holder=holder, scope=scope)[1]

    return make


@pytest.fixture
def api_client():
    def make(plain_key: str | None = None, **kwargs) -> ValidatingClient:
        if plain_key is not None:
            kwargs["HTTP_AUTHORIZATION"] = f"Bearer {plain_key}"
        return ValidatingClient(**kwargs)

    return make


@pytest.fixture
def writer(site, admin, make_key, api_client):
    """A read-write key of the site's administrator."""
    return api_client(make_key(site, admin, "write"))


@pytest.fixture
def reader(site, organizer, make_key, api_client):
    """A read-only key of an organizer of the site."""
    return api_client(make_key(site, organizer, "read", name="Accounting"))


def api_url(site, path: str = "") -> str:
    return f"/api/v1/sites/{site.slug}/{path}"

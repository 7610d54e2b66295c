"""Check our API's answers against our own OpenAPI document, the way ``tests/sandbox/openapi.py``
checks the simulator's answers against PayPal's.

``document()`` generates the document (as ``/api/v1/schema/`` serves it) once per run and
validates it with openapi-spec-validator. ``ValidatingClient`` is a Django test client whose
every response on an ``/api/v1/sites/`` URL is validated with openapi-core (status, headers,
content type and body), so each exchange of the API tests is checked; a mismatch raises
``OpenAPIMismatch`` (an ``AssertionError``) out of the call that made it.
"""

from __future__ import annotations

import json
from functools import cache

from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_spec_validator import validate
from rest_framework.utils.encoders import JSONEncoder

CHECKED_PREFIX = "/api/v1/sites/"


class OpenAPIMismatch(AssertionError):
    pass


@cache
def document() -> dict:
    spec = SchemaGenerator().get_schema(request=None, public=True)
    # The generator's output holds lazy strings and tuples: make it plain JSON values.
    spec = json.loads(json.dumps(spec, cls=JSONEncoder))
    validate(spec)
    return spec


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(document())


def check(response) -> None:
    request = response.wsgi_request
    if not request.path.startswith(CHECKED_PREFIX):
        return
    try:
        openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    except Exception as exc:  # noqa: BLE001 - every openapi-core error is a mismatch here
        body = b"" if response.streaming else response.content[:2000]
        raise OpenAPIMismatch(
            f"{request.method} {request.get_full_path()} → {response.status_code}: {exc!r}\n"
            f"{getattr(exc, '__cause__', '')!r}\n{body!r}"
        ) from exc


class ValidatingClient(Client):
    """A test client for the API: JSON bodies by default, every answer checked."""

    def request(self, **request):
        response = super().request(**request)
        check(response)
        return response

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **extra)

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **extra)

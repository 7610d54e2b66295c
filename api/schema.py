"""What the OpenAPI document says beyond the serializers: the key scheme and the errors.

``responses(ok, *statuses)`` builds an operation's responses: the success ones given, plus
the error shape for 401, 403, 404 and 429 (every site URL may answer those) and for the
extra statuses listed.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ApiKeySchemeExtension(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "wxk_<prefix>_<secret>",
            "description": "A site's API key, created on the site's API keys page.",
        }


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Malformed request: JSON, types, query parameters, cursor or headers.",
    401: "No API key, or an unknown or revoked one.",
    403: "A write with a read-only key, or e-commerce not provisioned for the site.",
    404: "No such object in this site (or another site's URL).",
    409: "Conflicts with the current state.",
    422: "Refused by the console's validation; see `fields`.",
    429: "Too many requests for this key; see the Retry-After header.",
    503: "Background work cannot be queued right now; nothing was done. See Retry-After.",
}
COMMON_ERRORS = (401, 403, 404, 429)


def responses(ok: dict, *statuses: int) -> dict:
    result = dict(ok)
    for code in sorted({*COMMON_ERRORS, *statuses}):
        result[code] = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
    return result


CSV_RESPONSE = OpenApiResponse(
    response={"type": "string", "format": "binary"},
    description="UTF-8 CSV with a byte-order mark, streamed.",
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique text up to 255 characters; a repeat returns the first answer.",
)


def page_of(name: str, item, **extra) -> serializers.Serializer:
    """The schema of a cursor page: ``results``, ``next``, ``previous`` and ``extra``."""
    return inline_serializer(
        name=name,
        fields={
            "results": item(many=True),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            **extra,
        },
    )

"""PayPal's REST error answers, as the simulator writes them.

JSON bodies with ``name``, ``message``, ``debug_id``, ``details[]`` and ``links``; a
``PayPal-Debug-Id`` response header on every answer; malformed JSON bodies; and the
``PayPal-Mock-Response`` header of negative testing (an unknown code is itself an invalid
header value, as in PayPal's sandbox).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

GENERIC_ERRORS = {
    400: (
        "INVALID_REQUEST",
        "Request is not well-formed, syntactically incorrect, or violates schema.",
    ),
    401: (
        "AUTHENTICATION_FAILURE",
        "Authentication failed due to missing authorization header, or invalid authentication "
        "credentials.",
    ),
    403: ("NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: (
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed "
        "business validation.",
    ),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error occurred."),
}

INVALID_RESOURCE_ID = (
    "Specified resource ID does not exist. Please check the resource ID and try again."
)


def debug_id() -> str:
    return secrets.token_hex(7)[:13]


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["PayPal-Debug-Id"] = (
        body.get("debug_id") if isinstance(body, dict) and body.get("debug_id") else debug_id()
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class ApiError(Exception):
    """An error answer in PayPal's format. Raise it from a handler; ``api`` renders it.

    ``details`` entries carry ``issue`` and ``description`` (PayPal's wording for the
    operation, copied from its OpenAPI document) and optionally ``field``, ``value``,
    ``location``.
    """

    def __init__(self, status: int, details: list[dict] | None = None, *, api: str = "orders"):
        super().__init__(status)
        self.status = status
        self.details = details or []
        self.api = api

    def body(self) -> dict:
        name, message = GENERIC_ERRORS[self.status]
        anchor = self.details[0]["issue"] if self.details else name
        body: dict[str, Any] = {"name": name, "message": message, "debug_id": debug_id()}
        if self.status != 500:  # PayPal's 500 body has no details
            body["details"] = self.details
        body["links"] = [
            {
                "href": f"https://developer.paypal.com/api/rest/reference/{self.api}/v2/errors/"
                f"#link-{anchor.lower()}",
                "rel": "information_link",
                "method": "GET",
            }
        ]
        return body

    def response(self) -> Response:
        return json_response(self.body(), self.status)


def issue(
    name: str,
    description: str,
    *,
    field: str | None = None,
    value: Any = None,
    location: str | None = "body",
) -> dict:
    detail: dict[str, Any] = {}
    if field is not None:
        detail["field"] = field
    if value is not None:
        detail["value"] = str(value)
    if field is not None and location:
        detail["location"] = location
    detail["issue"] = name
    detail["description"] = description
    return detail


def json_body(
    request: Request,
    *,
    required: bool,
    description: str,
    issue_name: str = "MALFORMED_REQUEST_JSON",
    api_name: str = "orders",
) -> dict:
    """The request's JSON object; an empty body is ``{}`` unless ``required``.

    A body that is not a JSON object answers 400 with ``issue_name`` (each operation's
    document lists its own issue for this) and ``description``.
    """
    raw = request.get_data(cache=True)
    data = None
    if not raw.strip():
        if not required:
            return {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None
    if not isinstance(data, dict):
        raise ApiError(
            400, [issue(issue_name, description, field="/", location="body")], api=api_name
        )
    return data


def mock_code(request: Request) -> str | None:
    """The code asked for in ``PayPal-Mock-Response``, if any."""
    header = request.headers.get("PayPal-Mock-Response")
    if not header:
        return None
    try:
        data = json.loads(header)
        code = data["mock_application_codes"]
    except (ValueError, KeyError, TypeError):
        code = None
    if not isinstance(code, str) or not code:
        raise ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_VALUE",
                    "A parameter value is not valid.",
                    field="PayPal-Mock-Response",
                    value=header,
                    location=None,  # the document knows no "header" location
                )
            ],
        )
    return code


def mock_error(code: str, table: dict[str, tuple[int, str | None]], api_name: str) -> ApiError:
    """The error a ``PayPal-Mock-Response`` code stands for in one operation.

    ``table`` maps code -> (status, description); status 500 needs no description. An
    unknown code is itself an invalid header value, as in PayPal's sandbox.
    """
    if code not in table:
        return ApiError(
            400,
            [
                issue(
                    "INVALID_PARAMETER_VALUE",
                    "A parameter value is not valid.",
                    field="PayPal-Mock-Response",
                    value=code,
                    location=None,  # the document knows no "header" location
                )
            ],
            api=api_name,
        )
    status, description = table[code]
    if status == 500:
        return ApiError(500, api=api_name)
    return ApiError(status, [issue(code, description or code)], api=api_name)


def checked_texts(
    source: dict, limits: dict[str, int], refuse: Callable[[str, Any], ApiError]
) -> dict[str, str]:
    """The text fields of ``source`` named in ``limits`` (name -> maximum length).

    Each present field must be a string of 1 to its limit characters, else
    ``refuse(name, value)`` is raised (each operation words INVALID_STRING_LENGTH its way).
    """
    texts = {}
    for key, limit in limits.items():
        value = source.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not 1 <= len(value) <= limit:
            raise refuse(key, value)
        texts[key] = value
    return texts

"""Check REST exchanges with the PayPal simulator against PayPal's own OpenAPI documents.

The documents live in the repository, in ``payments/sandbox/openapi/`` (their licence and
``SOURCE.md``, which gives their origin and versions, are beside them); the
``PAYPAL_OPENAPI_DIR`` environment variable points the check at another copy.
``ValidatingSession`` is a ``requests.Session`` whose response hook validates every request
it sends and every response it gets on a REST path with openapi-core; tests hand it to the
gateway clients (``session=``) and use it for their own raw calls, so each exchange of the
REST tests is checked, both directions. A mismatch raises ``OpenAPIMismatch`` (an
``AssertionError``) out of the call that made it.

Paths and documents: ``/v2/checkout/…`` -> ``checkout_orders_v2.json``, ``/v2/payments/…`` ->
``payments_payment_v2.json``, ``/v2/customer/partner-referrals…`` ->
``customer_partner_referrals_v2.json``, ``/v1/oauth2/token`` -> ``OAUTH_DOCUMENT`` below
(PayPal publishes no OpenAPI document for it; it is written from PayPal's REST
authentication guide). Any other ``/v1/`` or ``/v2/`` path is an error (an undocumented
endpoint); other paths (the approval and consent pages, return URLs) are HTML and are not
checked.

Adjustments made at load time (the documents themselves are never edited):

* ``servers`` -> ``/``: the documents name api-m.paypal.com hosts; the simulator runs on a
  random local port, so only the path part is matched.
* ``Oauth2`` security schemes -> HTTP ``bearer``: openapi-core does not evaluate ``oauth2``
  schemes (it only warns), while a bearer scheme makes it check the ``Authorization`` header
  every operation requires.
* Spec quirk: ``customer_partner_referrals_v2.json`` declares
  ``referral_data_response.partner_referral_id`` with the pattern ``^[0-9A-Za-z_-.]+$``, whose
  ``_-.`` is a reversed character range that no regex engine compiles (the spec validator
  rejects the document). It is read as the evidently intended ``^[0-9A-Za-z_.-]+$``.

The end of the module also holds ``submit`` / ``follow_to_return``: they click through the
simulator's approval and consent pages over plain HTTP (GET the page, POST the form whose
button has the given label, follow PayPal's redirect back to the merchant).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

DOCUMENTS = {
    "orders": "checkout_orders_v2.json",
    "payments": "payments_payment_v2.json",
    "referrals": "customer_partner_referrals_v2.json",
}
PREFIXES = (
    ("/v2/checkout/", "orders"),
    ("/v2/payments/", "payments"),
    ("/v2/customer/partner-referrals", "referrals"),
    ("/v1/oauth2/token", "oauth"),
)

_OAUTH_ERROR = {
    "description": "OAuth 2.0 error (RFC 6749 section 5.2)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error", "error_description"],
                "properties": {
                    "error": {
                        "type": "string",
                        "enum": [
                            "invalid_client",
                            "invalid_request",
                            "unsupported_grant_type",
                            "invalid_grant",
                        ],
                    },
                    "error_description": {"type": "string"},
                },
            }
        }
    },
}
OAUTH_DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "PayPal OAuth 2.0 client-credentials token", "version": "1.0"},
    "servers": [{"url": "/"}],
    "paths": {
        "/v1/oauth2/token": {
            "post": {
                "operationId": "oauth2.token",
                "security": [{"basic": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["grant_type"],
                                "properties": {
                                    "grant_type": {
                                        "type": "string",
                                        "enum": ["client_credentials"],
                                    },
                                    "scope": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "An access token",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": [
                                        "access_token",
                                        "token_type",
                                        "expires_in",
                                        "app_id",
                                        "scope",
                                        "nonce",
                                    ],
                                    "properties": {
                                        "access_token": {"type": "string", "minLength": 20},
                                        "token_type": {"type": "string", "enum": ["Bearer"]},
                                        "expires_in": {"type": "integer", "minimum": 1},
                                        "app_id": {"type": "string", "pattern": "^APP-"},
                                        "scope": {"type": "string"},
                                        "nonce": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _OAUTH_ERROR,
                    "401": _OAUTH_ERROR,
                },
            }
        }
    },
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
}

_REVERSED_RANGE_FIXES = {"^[0-9A-Za-z_-.]+$": "^[0-9A-Za-z_.-]+$"}


REPOSITORY_DOCUMENTS = Path(__file__).resolve().parents[2] / "payments" / "sandbox" / "openapi"


def openapi_dir() -> Path:
    """The folder of PayPal's documents: ``PAYPAL_OPENAPI_DIR`` if set, else the repository's."""
    override = os.environ.get("PAYPAL_OPENAPI_DIR")
    if override:
        return Path(override)
    return REPOSITORY_DOCUMENTS


def adjust(spec: dict) -> dict:
    """The load-time adjustments described in the module docstring (in place)."""
    spec["servers"] = [{"url": "/"}]
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name, scheme in list(schemes.items()):
        if scheme.get("type") == "oauth2":
            schemes[name] = {"type": "http", "scheme": "bearer", "description": "OAuth 2.0 token"}

    def fix(node):
        if isinstance(node, dict):
            pattern = node.get("pattern")
            if isinstance(pattern, str) and pattern in _REVERSED_RANGE_FIXES:
                node["pattern"] = _REVERSED_RANGE_FIXES[pattern]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(spec)
    return spec


@cache
def load(name: str, directory: str | None = None) -> OpenAPI:
    """One parsed, spec-validated document (cached: the orders document is 0.5 MB)."""
    if name == "oauth":
        return OpenAPI.from_dict(json.loads(json.dumps(OAUTH_DOCUMENT)))
    folder = Path(directory) if directory else openapi_dir()
    spec = json.loads((folder / DOCUMENTS[name]).read_text(encoding="utf-8"))
    return OpenAPI.from_dict(adjust(spec))


def document_for(path: str) -> str | None:
    for prefix, name in PREFIXES:
        if path.startswith(prefix):
            return name
    if re.match(r"/v\d+/", path):
        return "undocumented"
    return None


def describe(exc: BaseException) -> str:
    """An openapi-core error with the schema errors underneath it, one per line."""
    lines = [f"{type(exc).__name__}: {exc}"]
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for error in getattr(current, "schema_errors", None) or ():
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            lines.append(f"  at {where}: {error.message[:300]}")
        if current is not exc:
            lines.append(f"  caused by {type(current).__name__}: {str(current)[:300]}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


class OpenAPIMismatch(AssertionError):
    """A request or response does not match PayPal's OpenAPI document."""


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    document: str
    request_errors: list[str] = field(default_factory=list)
    response_errors: list[str] = field(default_factory=list)


def validate_exchange(
    prepared: requests.PreparedRequest, response: requests.Response
) -> Exchange | None:
    """Validate one exchange; None when the path is not a REST path (HTML pages)."""
    path = urlsplit(prepared.url or "").path
    name = document_for(path)
    if name is None:
        return None
    exchange = Exchange(prepared.method or "", path, response.status_code, name)
    if name == "undocumented":
        # Always fatal, even where invalid requests are allowed: the endpoint itself is wrong.
        exchange.response_errors.append(f"{prepared.method} {path} is in no OpenAPI document")
        return exchange
    app = load(name)
    openapi_request = RequestsOpenAPIRequest(prepared)
    try:
        app.validate_request(openapi_request)
    except Exception as exc:  # openapi-core raises a family of errors; all are mismatches
        exchange.request_errors.append(describe(exc))
    try:
        app.validate_response(openapi_request, RequestsOpenAPIResponse(response))
    except Exception as exc:
        exchange.response_errors.append(describe(exc))
    return exchange


class ValidatingSession(requests.Session):
    """A session that checks every REST exchange it makes against the OpenAPI documents.

    ``exchanges`` lists what was checked. Inside ``invalid_requests_allowed()`` a request
    that breaks the document (a test sending bad input on purpose) is recorded instead of
    raising; its response is still checked.
    """

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._allow_invalid_requests = 0
        self.hooks["response"].append(self._check)

    @contextmanager
    def invalid_requests_allowed(self) -> Iterator[None]:
        self._allow_invalid_requests += 1
        try:
            yield
        finally:
            self._allow_invalid_requests -= 1

    def validated(self, document: str | None = None) -> list[Exchange]:
        return [e for e in self.exchanges if document is None or e.document == document]

    def _check(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        exchange = validate_exchange(response.request, response)
        if exchange is None:
            return response
        with self._lock:
            self.exchanges.append(exchange)
        problems = list(exchange.response_errors)
        if not self._allow_invalid_requests:
            problems = exchange.request_errors + problems
        if problems:
            raise OpenAPIMismatch(
                f"{exchange.method} {exchange.path} -> {exchange.status} breaks "
                f"{DOCUMENTS.get(exchange.document, exchange.document)}:\n" + "\n".join(problems)
            )
        return response


# --- the simulator's HTML pages, followed without a browser ----------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.scripts = 0
        self.inline_styles = 0
        self._form: dict | None = None
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values or tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self.scripts += 1
        elif tag == "form":
            self._form = {
                "action": values.get("action", ""),
                "method": values.get("method", "get").lower(),
                "fields": {},
                "buttons": [],
            }
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and values.get("name"):
            self._form["fields"][values["name"]] = values.get("value", "")
        elif tag == "button" and self._form is not None:
            self._in_button = True
            self._form["buttons"].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button and self._form is not None:
            self._form["buttons"][-1] += data.strip()


def parse_page(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def submit(session: requests.Session, page_url: str, button: str) -> requests.Response:
    """GET a simulator page, then POST the form whose button reads ``button``.

    Returns the POST's answer without following its redirect (its ``Location`` is the
    merchant's return or cancel URL).
    """
    page = session.get(page_url, timeout=10)
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    forms = [form for form in parse_page(page.text).forms if button in form["buttons"]]
    assert len(forms) == 1, f"no single form with a {button!r} button on {page_url}"
    form = forms[0]
    assert form["method"] == "post"
    return session.post(
        urljoin(page_url, form["action"]), data=form["fields"], allow_redirects=False, timeout=10
    )


def follow_to_return(session: requests.Session, page_url: str, button: str) -> dict[str, str]:
    """Click ``button`` on the page, follow PayPal's redirect to the merchant's URL, and
    return that URL's query (one value per name)."""
    answer = submit(session, page_url, button)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    session.get(location, timeout=10)  # the merchant's page (any answer will do)
    return {key: values[-1] for key, values in parse_qs(urlsplit(location).query).items()}


# --- the Webhooks document: events and their verification -------------------------------------

WEBHOOKS_DOCUMENT = "notifications_webhooks_v1.json"


@cache
def webhooks_document() -> OpenAPI:
    """The Webhooks document (``/v1/notifications/…``), with the same load-time adjustments.

    Plus one for a spec quirk: the ``event`` schema marks every property ``readOnly``, yet
    ``verify-webhook-signature`` must send the event back as received in ``webhook_event``
    (the document's own example of that request does). openapi-core refuses read-only
    properties in a request, so ``readOnly`` is dropped from ``event``'s properties.
    """
    spec = adjust(json.loads((openapi_dir() / WEBHOOKS_DOCUMENT).read_text(encoding="utf-8")))
    event = spec["components"]["schemas"]["event"]
    for prop in event["properties"].values():
        prop.pop("readOnly", None)
        if isinstance(prop.get("items"), dict):
            prop["items"].pop("readOnly", None)
    return OpenAPI.from_dict(spec)


def _errors(check, *args) -> list[str]:
    try:
        check(*args)
    except Exception as exc:  # openapi-core raises a family of errors; all are mismatches
        return [describe(exc)]
    return []


def webhook_event_errors(base_url: str, event: dict) -> list[str]:
    """Why ``event`` (a webhook body) breaks the document's ``event`` schema ([] if it fits).

    Checked as the answer to ``GET /v1/notifications/webhooks-events/{id}``, the document's
    operation whose response is exactly one event.
    """
    request = requests.Request(
        "GET",
        f"{base_url}/v1/notifications/webhooks-events/{event.get('id', 'none')}",
        headers={"Authorization": "Bearer check"},
    ).prepare()
    response = requests.Response()
    response.status_code = 200
    response.headers["Content-Type"] = "application/json"
    response._content = json.dumps(event).encode()
    response.request = request
    app = webhooks_document()
    openapi_request = RequestsOpenAPIRequest(request)
    return _errors(app.validate_response, openapi_request, RequestsOpenAPIResponse(response))


def webhooks_exchange_errors(response: requests.Response) -> list[str]:
    """Why a ``/v1/notifications/…`` exchange breaks the Webhooks document ([] if it fits)."""
    app = webhooks_document()
    openapi_request = RequestsOpenAPIRequest(response.request)
    return _errors(app.validate_request, openapi_request) + _errors(
        app.validate_response, openapi_request, RequestsOpenAPIResponse(response)
    )

"""The security suite: every URL of the URLconf, walked at collection, one test id per check.

For each console URL (under ``/s/<site_slug>/``) of site A, with real object ids of site A:

* a member of another site gets 404 (GET and POST), also with their own site's slug;
* an anonymous visitor is sent to the login page;
* an organizer of site A gets 403 on admin-only pages, and on POSTs to read-only pages;
* a POST without a CSRF token from a logged-in administrator gets 403.

Routes another server calls (PayPal's webhooks) are CSRF-exempt by design, need no session,
and let in only a signature their caller confirms; their body size is limited.

For every page (console and public): the security headers, a CSP without inline script, and
no inline script or style in the HTML (the CSP would block them). Then login throttling and
the cookie flags of the production settings.

For every REST API URL (under ``/api/v1/sites/<site_slug>/``), every method it answers:
anonymous → 401; a key of another site → 404 (also with that site's own slug and site A's
ids); a read-only key on a write → 403; a key needs no CSRF token; a console session without
one is refused. The API's document and readers get the header, inline-code and secret checks.

New pages are covered as soon as they are in the URLconf: nothing here lists them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sites.scoping import SiteMemberMixin

from . import urlwalk
from .htmlcheck import inline_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

CONSOLE = urlwalk.cases(console=True)
PUBLIC = urlwalk.cases(console=False)
CONSOLE_POST = [c for c in CONSOLE if c.route.accepts_post]
CONSOLE_GET = [c for c in CONSOLE if c.route.accepts_get]
WITH_IDS = [c for c in CONSOLE if any(c.route.params[a] == "int" for a in c.deferred)]
SIGNED = [c for c in PUBLIC if c.route.authenticated_by_signature]
ALL_POST = [c for c in CONSOLE + PUBLIC if c.route.accepts_post and c not in SIGNED]
ALL_CASES = CONSOLE + PUBLIC
API = urlwalk.cases(api=True)
API_SITE = [c for c in API if c.route.is_api_site]
API_WRITES = [c for c in API_SITE if c.route.write_methods]
API_WITH_IDS = [c for c in API_SITE if any(c.route.params[a] == "int" for a in c.deferred)]


def params(cases):
    return [pytest.param(case, id=case.id) for case in cases]


def url_of(case, world, site=None) -> str:
    """The case's URL for site A, ids taken from site A's rows (confirmed by an admin GET)."""
    admin = world.client("admin")
    probe = (lambda url: admin.get(url).status_code) if case.route.accepts_get else None
    return urlwalk.resolve(case, site or world.a.site, probe=probe)


def login_url() -> str:
    return reverse(settings.LOGIN_URL)


# --- The walk itself ---------------------------------------------------------------------


def test_walker_covers_every_console_route():
    routes = {c.route.route for c in CONSOLE}
    print(
        f"\nURL walker: {len(routes)} console routes → {len(CONSOLE)} console URLs "
        f"({len(CONSOLE_POST)} accepting POST), {len(PUBLIC)} other URLs; "
        f"{len(ALL_CASES)} URLs covered in all"
    )
    assert len(routes) >= 10
    assert PUBLIC, "the login, language and payment URLs are walked too"
    for case in CONSOLE:
        view = case.route.view_class
        # "One way in per concern": every console page is scoped by SiteMemberMixin.
        assert view is not None and issubclass(view, SiteMemberMixin), case.id


# --- Isolation between sites ---------------------------------------------------------------


@pytest.mark.parametrize("case", params(CONSOLE))
def test_member_of_another_site_gets_404_on_get(case, world):
    url = url_of(case, world)
    assert world.client("outsider").get(url).status_code == 404, url


@pytest.mark.parametrize("case", params(CONSOLE))
def test_member_of_another_site_gets_404_on_post(case, world):
    url = url_of(case, world)
    assert world.client("outsider").post(url, {}).status_code == 404, url


@pytest.mark.parametrize("case", params(WITH_IDS))
def test_ids_of_another_site_answer_404_under_ones_own_site(case, world):
    """Site B's admin, on site B's URL, with the object ids of site A: 404."""
    url_a = url_of(case, world)
    ids_a = url_a.split("/")[3:]
    url_b = "/".join(["", "s", world.b.site.slug, *ids_a])
    outsider = world.client("outsider")
    if case.route.accepts_get:
        assert outsider.get(url_b).status_code == 404, url_b
    if case.route.accepts_post:
        assert outsider.post(url_b, {}).status_code == 404, url_b


@pytest.mark.parametrize("case", params(CONSOLE))
def test_anonymous_is_sent_to_login(case, world):
    url = url_of(case, world)
    anonymous = world.client(None)
    for response in (anonymous.get(url), anonymous.post(url, {})):
        assert response.status_code == 302, url
        assert response["Location"].startswith(login_url()), response["Location"]


# --- Roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(CONSOLE))
def test_organizer_role_policy(case, world):
    url = url_of(case, world)
    organizer = world.client("organizer")
    get, post = organizer.get(url), organizer.post(url, {})
    if case.route.admin_only:
        assert get.status_code == 403, url
        assert post.status_code == 403, url
        return
    # A page organizers may read: they are members, so never 404 and never a crash.
    assert get.status_code != 404 and get.status_code < 500, (url, get.status_code)
    if case.route.organizer_read_only and case.route.accepts_post:
        assert post.status_code == 403, url


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(ALL_POST))
def test_post_without_csrf_token_is_refused(case, world):
    url = url_of(case, world)
    strict = world.client("admin", enforce_csrf_checks=True)
    response = strict.post(url, {})
    assert response.status_code == 403, (url, response.status_code)


# --- Routes signed by their caller (PayPal's webhooks) ----------------------------------------


def test_the_only_csrf_exempt_pages_are_the_signed_ones():
    """The API answers programs and has its own checks; among pages, only a route that declares
    its caller's signature its only way in may skip the CSRF check."""
    exempt = {c.route.route for c in CONSOLE + PUBLIC if c.route.csrf_exempt}
    assert exempt == {c.route.route for c in SIGNED}
    assert "paypal/webhooks/" in exempt


FORGED_HEADERS = {
    "HTTP_PAYPAL_TRANSMISSION_ID": "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
    "HTTP_PAYPAL_TRANSMISSION_TIME": "2030-01-01T00:00:00Z",
    "HTTP_PAYPAL_TRANSMISSION_SIG": "f" * 64,
    "HTTP_PAYPAL_CERT_URL": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1",
    "HTTP_PAYPAL_AUTH_ALGO": "SHA256withRSA",
}


@pytest.mark.parametrize("case", params(SIGNED))
def test_a_signed_route_lets_in_only_a_signature_paypal_confirms(
    case, world, paypal_sandbox, settings
):
    """No session needed, none helps: anonymous or administrator, with or without a CSRF
    token, a signature PayPal does not confirm is refused (400), nothing is stored, and no
    session cookie is set."""
    from payments.models import WebhookEvent

    settings.PAYPAL_WEBHOOK_ID_TEST = "8PT597110X687430L"
    url = url_of(case, world)
    event = json.dumps({"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {}})
    for client in (
        Client(enforce_csrf_checks=True),
        world.client("admin", enforce_csrf_checks=True),
    ):
        response = client.post(url, event, content_type="application/json", **FORGED_HEADERS)
        assert response.status_code == 400, (url, response.status_code)
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert client.get(url).status_code == 405
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("case", params(SIGNED))
def test_a_signed_route_refuses_a_large_body(case, world, settings):
    settings.WEBHOOK_MAX_BYTES = 4096
    url = url_of(case, world)
    body = json.dumps({"id": "WH-1", "event_type": "X.Y", "padding": "x" * 5000})
    response = Client().post(url, body, content_type="application/json", **FORGED_HEADERS)
    assert response.status_code == 413


# --- Headers and inline code -----------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, url):
    assert response.get("X-Content-Type-Options") == "nosniff", url
    assert response.get("Referrer-Policy"), url
    assert response.get("X-Frame-Options") == "DENY", url
    csp = response.get("Content-Security-Policy")
    assert csp, f"{url}: no Content-Security-Policy"
    directives = csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts == ["'self'"], f"{url}: script-src {scripts}"
    assert "'unsafe-inline'" not in directives.get("script-src-elem", []), url
    assert "'unsafe-inline'" not in directives.get("script-src-attr", []), url


def viewer_for(case, world):
    """Who looks at a page: the site admin for console pages, else a visitor or the admin."""
    if case.route.is_console or case.route.name == "site-picker":
        return world.client("admin")
    return world.client(None)


@pytest.mark.parametrize("case", params(ALL_CASES))
def test_security_headers_on_every_page(case, world):
    url = url_of(case, world)
    response = viewer_for(case, world).get(url)
    expected_failure = case.route.unavailable_status
    assert response.status_code < 500 or response.status_code == expected_failure, (
        url,
        response.status_code,
    )
    assert_security_headers(response, url)


def rendered_pages(case, world):
    """(who, url, response) for each HTML page a GET of the case ends on."""
    url = url_of(case, world)
    viewers = [("admin", viewer_for(case, world))]
    if case.route.is_console and not case.route.admin_only:
        viewers.append(("organizer", world.client("organizer")))
    for who, client in viewers:
        response = client.get(url, follow=True)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            yield who, url, response


@pytest.mark.parametrize("case", params([c for c in ALL_CASES if c.route.accepts_get]))
def test_no_inline_script_or_style(case, world):
    for who, url, response in rendered_pages(case, world):
        problems = inline_code(response.content.decode())
        assert not problems, f"{url} as {who}:\n" + "\n".join(problems)
        assert_security_headers(response, url)


def secrets_in_play() -> list[str]:
    """Values no page may ever show: provider passwords (see ``populate``) and the keys."""
    values = ["pilot-pass-1", "pilot-pass-2", settings.SECRET_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    values += [settings.PAYPAL_REST_TEST_SECRET, settings.PAYPAL_REST_LIVE_SECRET]
    return [v for v in values if v]


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("case", params([c for c in ALL_CASES if c.route.accepts_get]))
def test_no_secret_in_any_page(case, world):
    """Passwords are write-only: not in any page, CSV or JSON, for anyone."""
    url = url_of(case, world)
    viewers = [("admin", viewer_for(case, world))]
    if case.route.is_console and not case.route.admin_only:
        viewers.append(("organizer", world.client("organizer")))
    for who, client in viewers:
        response = client.get(url, follow=True)
        body = body_of(response)
        for secret in secrets_in_play():
            assert secret not in body, f"{url} as {who} shows a secret"


def test_payment_page_is_covered_with_a_real_priced_session(world):
    """The public payment page renders (not a 404) for the walker's URL of site A."""
    case = next(c for c in PUBLIC if c.route.name == "payment-page")
    url = url_of(case, world)
    response = world.client(None).get(url)
    assert response.status_code == 200, url
    assert not inline_code(response.content.decode())
    assert_security_headers(response, url)


# --- Login throttling ------------------------------------------------------------------------


def test_repeated_login_failures_lock_the_account_out(world):
    client = Client()
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "alice", "password": "wrong"})
    # Even the right password is refused while the lockout lasts.
    response = client.post(url, {"username": "alice", "password": "pw-alice"})
    assert response.status_code in (403, 429), response.status_code
    assert "_auth_user_id" not in client.session
    other = Client()
    assert other.get(reverse("site-picker")).status_code == 302


# --- Production cookie flags -----------------------------------------------------------------

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
names = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS", "DEBUG", "CONTENT_SECURITY_POLICY",
]
out = {name: getattr(settings, name, None) for name in names}
response = Client(HTTP_HOST="localhost").get("/accounts/login/", secure=True)
out["status"] = response.status_code
cookie = response.cookies.get("csrftoken")
out["csrf_cookie"] = cookie.output() if cookie is not None else ""
print(json.dumps(out, default=str))
"""


def test_production_cookie_flags(tmp_path):
    from cryptography.fernet import Fernet

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="webexcommerce.settings.production",
        SECRET_KEY="prod-like-" + "x7Qv!2#Lm9$Zp4^Rt8&Wy3*Nb6(Hd1)Fg5Kj0" * 2,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["DEBUG"] is False
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["SESSION_COOKIE_HTTPONLY"] is True
    assert found["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 31536000
    assert found["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert found["X_FRAME_OPTIONS"] == "DENY"
    assert "unsafe-inline" not in json.dumps(found["CONTENT_SECURITY_POLICY"])
    # The cookie a real response sets carries the flags.
    assert found["status"] == 200
    cookie = found["csrf_cookie"].lower()
    assert "secure" in cookie and "samesite=lax" in cookie, found["csrf_cookie"]


# --- The REST API ------------------------------------------------------------------------------


@pytest.fixture
def api_keys(world):
    """Plain keys: site A's administrator (read-write), its organizer (read-only), and site
    B's administrator (read-write)."""
    from api.keys import create_key

    def make(site, holder, scope):
        return create_key(site, holder, name="walk", holder=holder, scope=scope)[1]

    return {
        "writer": make(world.a.site, world.admin, "write"),
        "reader": make(world.a.site, world.organizer, "read"),
        "outsider": make(world.b.site, world.outsider, "write"),
    }


def api_client(plain_key=None, **kwargs):
    from tests.api.openapi import ValidatingClient

    if plain_key:
        kwargs["HTTP_AUTHORIZATION"] = f"Bearer {plain_key}"
    return ValidatingClient(**kwargs)


def api_calls(case, client, url):
    """(method, response) for every method the API view answers, each with an empty body."""
    if case.route.accepts_get:
        yield "get", client.get(url)
    for method in case.route.write_methods:
        yield method, getattr(client, method)(url, {}, content_type="application/json")


def test_walker_covers_the_api():
    assert len({c.route.route for c in API_SITE}) >= 12
    assert API_WRITES and API_WITH_IDS
    assert {c.route.name for c in API} >= {"api-schema", "api-docs", "api-redoc"}


@pytest.mark.parametrize("case", params(API_SITE))
def test_api_anonymous_gets_401(case, world):
    url = url_of(case, world)
    for method, response in api_calls(case, api_client(), url):
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("case", params(API_SITE))
def test_api_key_of_another_site_gets_404(case, world, api_keys):
    url = url_of(case, world)
    for method, response in api_calls(case, api_client(api_keys["outsider"]), url):
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize("case", params(API_WITH_IDS))
def test_api_ids_of_another_site_answer_404_under_ones_own_site(case, world, api_keys):
    """Site B's key, on site B's URL, with the object ids of site A: 404."""
    url_a = url_of(case, world)
    url_b = url_a.replace(f"/sites/{world.a.site.slug}/", f"/sites/{world.b.site.slug}/", 1)
    for method, response in api_calls(case, api_client(api_keys["outsider"]), url_b):
        assert response.status_code == 404, (method, url_b, response.status_code)


@pytest.mark.parametrize("case", params(API_WRITES))
def test_api_read_only_key_on_a_write_gets_403(case, world, api_keys):
    url = url_of(case, world)
    client = api_client(api_keys["reader"])
    for method in case.route.write_methods:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("case", params(API_WRITES))
def test_api_key_needs_no_csrf_token(case, world, api_keys):
    url = url_of(case, world)
    client = api_client(api_keys["writer"], enforce_csrf_checks=True)
    for method in case.route.write_methods:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code not in (401, 403), (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.status_code)


@pytest.mark.parametrize("case", params(API_WRITES))
def test_api_console_session_without_csrf_token_is_refused(case, world):
    url = url_of(case, world)
    strict = world.client("admin", enforce_csrf_checks=True)
    for method in case.route.write_methods:
        response = getattr(strict, method)(url, {}, content_type="application/json")
        assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.parametrize("case", params([c for c in API if c.route.accepts_get]))
def test_api_headers_inline_code_and_secrets(case, world, api_keys):
    """The site resources read with site A's key, the document and its readers anonymously:
    security headers, no inline script or style in HTML, no secret anywhere."""
    url = url_of(case, world)
    client = api_client(api_keys["writer"]) if case.route.is_api_site else Client()
    if case.route.is_api_site:
        url += "?service=events&scope=all"  # the reports' required service; test payments too
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert_security_headers(response, url)
    body = body_of(response)
    if "text/html" in response.get("Content-Type", ""):
        problems = inline_code(body)
        assert not problems, f"{url}:\n" + "\n".join(problems)
    for secret in [*secrets_in_play(), *api_keys.values()]:
        assert secret not in body, f"{url} shows a secret"

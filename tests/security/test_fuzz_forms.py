"""Bad input: hypothesis throws random and hostile values at every form of the console and
at the public payment page.

The forms are found, not listed: every console URL that accepts POST (the same URLconf walk
as the security suite) is posted to, with the field names of the forms that target it on the
console's own pages (parsed with ``html.parser``). Whatever comes in:

* the answer is never a 5xx (the test client re-raises a crash);
* a re-rendered form with errors has saved nothing (every row of the project's tables is
  compared before and after);
* nothing hostile comes back unescaped, and no card number comes back at all.
"""

from __future__ import annotations

import string
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import Resolver404
from django.urls import resolve as resolve_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import urlwalk
from .htmlcheck import forms_of

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# One service is enough: the other shows the same forms (one configuration for both services,
# docs/administrators.md).
POST_CASES = [
    c
    for c in urlwalk.cases(console=True)
    if c.route.accepts_post and c.fixed.get("service", "events") == "events"
]
PROJECT_APPS = ("sites", "payments", "promocodes")

XSS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>']
FUTURE = date.today() + timedelta(days=40)
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "nul\x00byte",
        "A" * 100_000,
        "é" * 5000,
        "😀🇫🇷‮evil‬",
        "Z̴̡̢a̵l̷g̶o̸",
        "\r\n\t",
        *XSS,
        "javascript:alert(1)",
        "'; DROP TABLE sites_site; --",
        '=HYPERLINK("http://evil")',
        "+1-1",
        "-1",
        "0",
        "-0.01",
        "-99999999999999999999",
        "99999999999999999999999999",
        "1e309",
        "NaN",
        "Infinity",
        "0.000000001",
        "12,50",
        "31/02/2027",
        "2027-02-31",
        "29/02/2027",
        "00/00/0000",
        "32/13/2027",
        "01/01/0001",
        "31/12/9999",
        "9999-12-31",
        FUTURE.strftime("%d/%m/%Y"),
        "not-an-email",
        "a@b",
        "x" * 300 + "@example.com",
        "help@example.com",
        "+1 415 555 0100",
        "4111111111111111",
        "4111 1111 1111 1112",
        "12/30",
        "13/99",
        "123",
    ]
)
TEXT = st.text(max_size=60) | st.text(alphabet=string.printable, max_size=30)
CSV_LINES = st.sampled_from(
    [
        "pat@example.com,Pat",
        "pat@example.com",
        "not-an-email,Name",
        ",",
        "a@b.c,=cmd|' /C calc'!A0",
        "x" * 5000,
        "\x00\x00\x00",
        "dup@example.com\ndup@example.com",
        '"unterminated,quote@example.com',
    ]
)
CSV_FILE = st.one_of(
    st.binary(max_size=2000),
    st.lists(CSV_LINES, max_size=20).map(lambda lines: "\n".join(lines).encode()),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbfpat@example.com,Pat\n",
            "é@exemple.fr,Élodie".encode("latin-1"),
            ("ok@example.com\n" * 1001).encode(),
            b"a@example.com\r\nb@example.com\r",
        ]
    ),
)
FILENAMES = st.sampled_from(["recipients.csv", "r.txt", "r.exe", "../../etc/passwd", "é.csv", ""])


def value_strategy(field: dict, hostility: int):
    """A value the page offers (its initial value, an option), or a hostile or random one.

    ``hostility`` (0–100) is the chance of the latter: low values leave most of the form as the
    page shows it, so that one bad field at a time reaches the deeper checks.
    """
    valid = [field["value"], *field["options"]]
    if field["type"] in ("checkbox", "radio") and not field["value"]:
        valid.append("on")
    return st.integers(0, 99).flatmap(
        lambda roll: st.one_of(HOSTILE, TEXT) if roll < hostility else st.sampled_from(valid)
    )


@st.composite
def form_data(draw, fields: list[dict]):
    data, files = {}, {}
    hostility = draw(st.sampled_from([10, 30, 60, 100]))
    for field in fields:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing field
        if field["type"] == "file":
            if draw(st.booleans()):
                content = draw(CSV_FILE)
                files[field["name"]] = SimpleUploadedFile(draw(FILENAMES) or "x", content)
            continue
        values = [draw(value_strategy(field, hostility))]
        if field["type"] in ("checkbox", "select-multiple") and draw(st.booleans()):
            values.append(draw(value_strategy(field, hostility)))
        data.setdefault(field["name"], []).extend(values)
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.sampled_from(["extra", "site", "site_id", "pk"]))] = [draw(HOSTILE)]
    return data, files


# --- Discovery ---------------------------------------------------------------------------


def form_key(path: str):
    """Which route (and service/kind) a form action points at, ids left out."""
    try:
        match = resolve_path(path.split("?")[0])
    except Resolver404:
        return None
    kwargs = {k: v for k, v in match.kwargs.items() if not isinstance(v, int)}
    kwargs.pop("site_slug", None)
    return (match.url_name, tuple(sorted(kwargs.items())))


def case_key(case):
    return (case.route.name, tuple(sorted(case.fixed.items())))


def discover_forms(world) -> dict:
    """Every POST form on every console page an admin can GET, by the route it posts to."""
    admin = world.client("admin")
    found: dict = {}
    for case in urlwalk.cases(console=True):
        if not case.route.accepts_get:
            continue
        url = urlwalk.resolve(case, world.a.site)
        response = admin.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode()):
            if form["method"] != "post":
                continue
            key = form_key(form["action"] or url)
            if key is None:
                continue
            fields = found.setdefault(key, {})
            for field in form["fields"]:
                if field["name"] == "csrfmiddlewaretoken":
                    continue
                known = fields.setdefault(field["name"], field)
                if known is not field:
                    known["options"] = known["options"] + [field["value"], *field["options"]]
    return {key: list(fields.values()) for key, fields in found.items()}


# --- Invariants ----------------------------------------------------------------------------


def snapshot() -> dict:
    """Every row of the project's own tables (the test data is small)."""
    rows = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return rows


def forms_with_errors(response) -> list[BaseForm]:
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = []
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                found.append(value)
    return found


def post_and_check(client, url: str, data: dict, files: dict, before: dict) -> None:
    payload = {**data, **files}
    response = client.post(url, payload)  # a crash is re-raised by the test client
    assert response.status_code < 500, (url, response.status_code)
    body = response.content.decode(errors="replace") if not response.streaming else ""
    for marker in XSS:
        assert marker not in body, f"{url}: {marker!r} rendered unescaped"
    for number in data.get("card_number", []):
        digits = "".join(ch for ch in number if ch.isdigit())
        if len(digits) >= 12:
            assert digits not in body.replace(" ", ""), f"{url}: card number sent back"
    if response.status_code == 200 and forms_with_errors(response):
        assert snapshot() == before, f"{url}: a form re-rendered with errors saved something"


# --- Tests -------------------------------------------------------------------------------

_discovered: dict = {}


def fields_for(case, world) -> list[dict] | None:
    """The fields of the forms posting to ``case`` (None: no page shows such a form)."""
    if not _discovered:
        _discovered.update(discover_forms(world) or {None: []})
    return _discovered.get(case_key(case))


def test_fuzz_targets():
    print(f"\nForms fuzzed: {len(POST_CASES)} console POST URLs + the public payment page")
    assert len(POST_CASES) >= 10


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in POST_CASES])
def test_console_form_survives_hostile_input(case, world):
    admin = world.client("admin")
    url = urlwalk.resolve(case, world.a.site, probe=lambda u: admin.get(u).status_code)
    fields = fields_for(case, world)
    if fields is None:
        # A POST endpoint without a form on any page: throw arbitrary fields at it.
        fields = [
            {"name": n, "type": "text", "value": "", "options": []}
            for n in ("action", "ids", "scope", "until", "amount", "filters")
        ]

    @FUZZ
    @given(form_data(fields))
    def attack(payload):
        data, files = payload
        post_and_check(admin, url, data, files, snapshot())

    attack()


def test_payment_page_survives_hostile_input(world):
    from django.urls import reverse

    url = reverse("payment-page", args=[world.a.site.slug, world.a.session.pk])
    visitor = world.client(None)
    page = visitor.get(url)
    assert page.status_code == 200
    forms = [f for f in forms_of(page.content.decode()) if f["method"] == "post"]
    fields = [f for form in forms if not form["action"] for f in form["fields"]]
    fields = [f for f in fields if f["name"] != "csrfmiddlewaretoken"]
    assert {"attendee_email", "card_number", "promo_code", "action"} <= {f["name"] for f in fields}

    @FUZZ
    @given(form_data(fields))
    def attack(payload):
        data, files = payload
        post_and_check(visitor, url, data, files, snapshot())

    attack()

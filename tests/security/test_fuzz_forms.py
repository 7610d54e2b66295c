"""Bad input: hypothesis throws random and hostile values at every form of the console, at
the public payment page, at every console URL's query parameters and at every action of the
ops admin.

The forms are found, not listed: every console URL that accepts POST (the same URLconf walk
as the security suite) is posted to, with the field names of the forms that target it on the
console's own pages (parsed with ``html.parser``); every console URL that answers GET is read
with the fields of the pages' GET forms (report filters) plus the parameters no form shows
(cursors, pages, ids, flags). Whatever comes in:

* the answer is never a 5xx (the test client re-raises a crash; a CSV is read to its end);
* a re-rendered form with errors has saved nothing (every row of the project's tables is
  compared before and after);
* nothing hostile comes back unescaped, and no card number comes back at all.

The values include what found the 500s of issue 12: days at the ends of the calendar (year 1,
9999) and times that do not exist in the site's time zone, read in a time zone drawn per
example (west of UTC, east of it, +14); 20-digit integers and cursors; NUL and the other
control characters; valid e-mail addresses of the column's length and longer.

Run time: ``max_examples`` stays modest (15 per form, 8 per GET URL and per admin page); the
GET and admin walks add about a minute on the test machine.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import Resolver404, reverse
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

FUZZ_QUICK = settings(FUZZ, max_examples=8)

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
TWENTY_DIGITS = "99999999999999999999"
# West of UTC with summer time, east of it with summer time, and the furthest east (+14).
TIME_ZONES = ["America/New_York", "Europe/Paris", "Pacific/Kiritimati"]


def email_of_length(n: int) -> str:
    """A valid address of exactly ``n`` characters (64-character local part, 63-long labels)."""
    domain_length = n - 65
    labels, left = [], domain_length
    while left > 64:
        labels.append("d" * 63)
        left -= 64
    labels.append("e" * max(left, 2))
    return "a" * 64 + "@" + ".".join(labels)


# Days at the ends of the calendar and of the product's range, as typed and as ISO; times
# that do not exist (clocks go forward in New York, then in Paris).
DATE_EDGES = [
    "01/01/0001",
    "0001-01-01",
    "31/12/9999",
    "9999-12-31",
    "31/12/1999",
    "01/01/2101",
    "31/12/9999 23:59",
    "01/01/0001 00:00",
    "9999-12-31T23:59:00-12:00",
    "08/03/2026 02:30",
    "2026-03-29T02:30",
]
# Integers past 32 and 64 bits, and cursors made of them.
INTEGER_EDGES = [
    TWENTY_DIGITS,
    "2147483648",
    "9223372036854775808",
    f"1-{TWENTY_DIGITS}",
    f"{TWENTY_DIGITS}-1",
    f"1777000000000000-{TWENTY_DIGITS}",
    "١٢٣",
]
CONTROL_CHARACTERS = ["\x00", "a\x07b", "\x1b[31mred", "\x7f", "x\x0by", "\x1f", "x\x85y"]
# Valid e-mail addresses: as long as the column, one longer, and 287 characters.
LONG_EMAILS = [email_of_length(254), email_of_length(255), email_of_length(287)]
BOUNDARIES = [*DATE_EDGES, *INTEGER_EDGES, *CONTROL_CHARACTERS, *LONG_EMAILS]
DATE_NAME = re.compile(r"date|_from$|_to$|_on$|_at$|until")
NUMBER_NAMES = {"ids", "batch", "session", "sessions", "after", "before", "page", "retry"}


def edges_for(field: dict) -> list[str]:
    """The boundary values aimed at this field, guessed from its name and value."""
    name, value = field["name"], str(field["value"])
    if DATE_NAME.search(name):
        return DATE_EDGES
    if name in NUMBER_NAMES or (value.isdigit() and field["type"] != "checkbox"):
        return INTEGER_EDGES
    if "email" in name:
        return LONG_EMAILS
    return CONTROL_CHARACTERS


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
        *BOUNDARIES,
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
        "pat@example.com,Pa\x00t",
        "pat@example.com,\x1b[31mred",
        "a@example.com\x0bb@example.com",
        f"{email_of_length(287)},Long",
        f"{email_of_length(254)},Longest",
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
    hostile = st.one_of(st.sampled_from(edges_for(field)), HOSTILE, TEXT)
    return st.integers(0, 99).flatmap(
        lambda roll: hostile if roll < hostility else st.sampled_from(valid)
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


def discover_forms(world, method: str = "post") -> dict:
    """Every ``method`` form on every console page an admin can GET, by the route it targets."""
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
            if form["method"] != method:
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


def body_of(response) -> str:
    """The page, or the whole streamed CSV (read to its end: a crash may come late)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def post_and_check(client, url: str, data: dict, files: dict, before: dict) -> None:
    payload = {**data, **files}
    response = client.post(url, payload)  # a crash is re-raised by the test client
    assert response.status_code < 500, (url, response.status_code)
    body = body_of(response)
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
    @given(form_data(fields), st.sampled_from(TIME_ZONES))
    def attack(payload, time_zone):
        data, files = payload
        in_time_zone(world, time_zone)
        post_and_check(admin, url, data, files, snapshot())

    attack()


def in_time_zone(world, time_zone: str) -> None:
    """Read the example's dates in ``time_zone`` (the site row is read again per request)."""
    type(world.a.site).objects.filter(pk=world.a.site.pk).update(time_zone=time_zone)


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


# --- Query parameters ------------------------------------------------------------------------

GET_CASES = [
    c
    for c in urlwalk.cases(console=True)
    if c.route.accepts_get and c.fixed.get("service", "events") == "events"
]
# What no form shows but links carry: cursors, page numbers, ids, flags, the way back.
LINK_PARAMETERS = ["after", "before", "page", "batch", "ids", "session", "all", "back", "token"]
_discovered_get: dict = {}


def query_fields_for(case, world) -> list[dict]:
    """The fields of the GET forms (report filters) targeting ``case`` — or, for a URL no
    form targets (a CSV export), those of every GET form — plus the link parameters."""
    if not _discovered_get:
        _discovered_get.update(discover_forms(world, "get") or {None: []})
    fields = _discovered_get.get(case_key(case))
    if fields is None:
        every = {f["name"]: f for found in _discovered_get.values() for f in found}
        fields = list(every.values())
    names = {f["name"] for f in fields}
    extra = [
        {"name": n, "type": "text", "value": "", "options": []}
        for n in LINK_PARAMETERS
        if n not in names
    ]
    return [*fields, *extra]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in GET_CASES])
def test_console_url_survives_hostile_query_parameters(case, world):
    admin = world.client("admin")
    url = urlwalk.resolve(case, world.a.site, probe=lambda u: admin.get(u).status_code)
    fields = query_fields_for(case, world)

    def check(data):
        response = admin.get(url, data)
        assert response.status_code < 500, (url, data, response.status_code)
        body = body_of(response)
        for marker in XSS:
            assert marker not in body, f"{url}: {marker!r} rendered unescaped"

    for data in edge_sweep(fields):
        check(data)

    @FUZZ_QUICK
    @given(form_data(fields), st.sampled_from(TIME_ZONES))
    def attack(payload, time_zone):
        data, _files = payload
        in_time_zone(world, time_zone)
        check(data)

    attack()


def edge_sweep(fields: list[dict]):
    """Deterministic before random: each date edge in every date field at once, each integer
    edge in every number field at once (a few requests that always reach the edges)."""
    for edges in (DATE_EDGES, INTEGER_EDGES):
        names = sorted({f["name"] for f in fields if edges_for(f) is edges})
        for value in edges if names else ():
            yield dict.fromkeys(names, value)


# --- The ops admin's actions -----------------------------------------------------------------


def project_admins() -> list:
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in django_admin.site._registry.items()
            if model._meta.app_label in PROJECT_APPS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


@pytest.mark.parametrize(
    "model", [pytest.param(m, id=m._meta.label) for m, _admin in project_admins()]
)
def test_ops_admin_actions_survive_hostile_selections(model, world, rf):
    ops = get_user_model().objects.create_superuser("ops-fuzz", "ops@example.com", "x")
    client = world.client(None)
    client.force_login(ops)
    model_admin = django_admin.site._registry[model]
    request = rf.get("/")
    request.user = ops
    actions = list(model_admin.get_actions(request))
    pks = [str(pk) for pk in model.objects.values_list("pk", flat=True)[:5]]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    ticked = st.lists(st.sampled_from(pks) | HOSTILE if pks else HOSTILE, max_size=4)

    action_names = st.sampled_from(actions) | HOSTILE if actions else HOSTILE

    @FUZZ_QUICK
    @given(action_names, ticked, st.sampled_from(["", "0", "1"]) | HOSTILE)
    def attack(action, selected, select_across):
        response = client.post(
            url,
            {
                "action": action,
                "_selected_action": selected,
                "select_across": select_across,
                "index": "0",
            },
        )
        assert response.status_code < 500, (url, action, selected, response.status_code)

    attack()

"""axe-core in Debian's Chromium: no serious or critical violation on any page.

The pages are found by the security suite's URLconf walk: every console page an administrator
can GET, every one an organizer can GET, plus the public payment page, its confirmation, the
login page and the site picker. axe-core is the copy bundled by ``axe-playwright-python``,
evaluated in the page (Playwright's evaluate is not subject to the page's CSP).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security import urlwalk
from tests.security.conftest import populate

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def populated(site, other_site, admin, organizer, outsider, paypal_sandbox):
    a, b = populate(site, admin), populate(other_site, outsider)
    # The organizer organizes the session the walker picks, so its Edit page is theirs too.
    a.session.organizer = organizer
    a.session.save()
    return a, b


def new_page(chromium, live_server, username: str | None = None):
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    if username:
        log_in(page, live_server.url, username, "pw-" + username)
        page.wait_for_load_state()
    return context, page


def blocking_violations(axe, page) -> list[str]:
    results = axe.run(page, options=AXE_OPTIONS).response
    found = []
    for violation in results["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        targets = "; ".join(
            f"{' '.join(node['target'])} → {node.get('failureSummary', '').splitlines()[-1]}"
            for node in violation["nodes"][:5]
        )
        found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def scan(axe, page, live_server, urls, scanned: list, problems: list, who: str) -> None:
    """Open each HTML page once (redirects followed), run axe, collect what blocks."""
    seen = set()
    for url in urls:
        check = page.request.get(live_server.url + url)
        if check.status != 200 or "text/html" not in check.headers.get("content-type", ""):
            continue
        page.goto(live_server.url + url)
        page.wait_for_load_state()
        final = page.url
        if final in seen:
            continue
        seen.add(final)
        scanned.append(f"{who} {final}")
        for violation in blocking_violations(axe, page):
            problems.append(f"{who} {final}: {violation}")


def console_urls(site, *, organizer: bool) -> list[str]:
    urls = []
    for case in urlwalk.cases(console=True):
        if not case.route.accepts_get or (organizer and case.route.admin_only):
            continue
        urls.append(urlwalk.resolve(case, site))
    return urls


def report(scanned: list, problems: list, label: str) -> None:
    print(f"\naxe ({label}): {len(scanned)} pages scanned")
    assert scanned
    assert not problems, f"{len(problems)} serious/critical violations:\n" + "\n".join(problems)


def test_console_pages_for_an_administrator(chromium, live_server, axe, populated):
    a, _ = populated
    context, page = new_page(chromium, live_server, "alice")
    scanned, problems = [], []
    try:
        scan(
            axe,
            page,
            live_server,
            console_urls(a.site, organizer=False),
            scanned,
            problems,
            "admin",
        )
        scan(
            axe, page, live_server, [reverse("site-picker") + "?all=1"], scanned, problems, "admin"
        )
    finally:
        context.close()
    report(scanned, problems, "administrator")


def test_console_pages_for_an_organizer(chromium, live_server, axe, populated):
    a, _ = populated
    context, page = new_page(chromium, live_server, "oscar")
    scanned, problems = [], []
    try:
        scan(
            axe,
            page,
            live_server,
            console_urls(a.site, organizer=True),
            scanned,
            problems,
            "organizer",
        )
    finally:
        context.close()
    report(scanned, problems, "organizer")


def test_public_pages(chromium, live_server, axe, populated):
    a, _ = populated
    context, page = new_page(chromium, live_server)
    scanned, problems = [], []
    public = [
        urlwalk.resolve(case, a.site)
        for case in urlwalk.cases(console=False)
        if case.route.accepts_get and case.route.name not in ("site-picker",)
    ]
    try:
        scan(axe, page, live_server, public, scanned, problems, "visitor")
        # The payment page after a refused promo code: the error must be announced properly.
        page.goto(live_server.url + reverse("payment-page", args=[a.site.slug, a.session.pk]))
        page.get_by_label("Promo code").fill("NO-SUCH-CODE")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_load_state()
        scanned.append("visitor payment page with a refused code")
        problems += [f"payment page with errors: {v}" for v in blocking_violations(axe, page)]
    finally:
        context.close()
    report(scanned, problems, "public")

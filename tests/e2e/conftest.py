"""Browser tests: Playwright driving Debian's Chromium, headless, against a live server.

Screenshots of a failing test land in ``test-artifacts/`` (kept by CI). ``mail_worker`` is a
real Celery worker whose sent e-mails a test reads; ``switch_language`` is the navbar's
language selector.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.celery_worker import celery_worker, wait_for_mail

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in on the login page of the console served at ``base_url`` (English labels)."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def login(page, live_server):
    def do_login(username: str, password: str) -> None:
        log_in(page, live_server.url, username, password)

    return do_login


def switch_language(page, code: str) -> None:
    """Choose ``code`` in the navbar's language selector (it submits itself on change)."""
    with page.expect_navigation():
        page.select_option("#language-select", code)


@pytest.fixture
def mail_worker(tmp_path, transactional_db):
    """A real Celery worker on the test database for the test's duration; yields
    ``wait(count)``, which answers the e-mails it has sent once there are ``count`` (see
    ``tests.celery_worker.sent_mail``)."""
    with celery_worker(tmp_path):
        yield lambda count=1: wait_for_mail(tmp_path, count)

"""`make run` from a fresh clone serves the console with demo data, and answers like the
product: DEBUG off, its own 404 and 403 pages (English and French), never Django's technical
page listing every URL (issue 13, item 10)."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.local_servers import free_port

from .conftest import log_in, switch_language

ROOT = Path(__file__).resolve().parents[2]

ERROR_PAGES = {
    "en": {"404": "Page not found", "403": "Not allowed", "role": "Your role on this site"},
    "fr": {"404": "Page introuvable", "403": "Non autorisé", "role": "Votre rôle sur ce site"},
}


def assert_product_page(page, response, status: int, heading: str) -> None:
    """The product's own error page (its heading), not Django's technical one."""
    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    text = page.locator("body").inner_text()
    assert "URLconf" not in text and "ops/" not in text and "DEBUG" not in text


def check_error_pages_in_a_browser(chromium, base: str) -> None:
    """In English, then in French (the navbar's language selector): the product's 404 page on
    a wrong URL and, signed in as the demo organizer, its 403 page on an administrators'
    page."""
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    try:
        en, fr = ERROR_PAGES["en"], ERROR_PAGES["fr"]
        assert_product_page(page, page.goto(base + "/no-such-page/"), 404, en["404"])
        log_in(page, base, "oscar", "webex-demo")
        page.wait_for_load_state()
        forbidden = base + "/s/acme/events/ecommerce/"
        assert_product_page(page, page.goto(forbidden), 403, en["403"])
        expect(page.locator("main")).to_contain_text(en["role"])

        switch_language(page, "fr")
        assert_product_page(page, page.goto(forbidden), 403, fr["403"])
        expect(page.locator("main")).to_contain_text(fr["role"])
        assert_product_page(page, page.goto(base + "/no-such-page/"), 404, fr["404"])
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_make_run_from_a_fresh_clone_serves_the_login_page(tmp_path, chromium):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=60)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(PORT=str(port), VAR_DIR=str(tmp_path / "var"))
    # Reuse this suite's virtualenv (already installed) instead of installing a second one.
    venv = Path(sys.prefix)
    process = subprocess.Popen(
        ["make", "run", f"VENV={venv}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 180
        for line in process.stdout:
            output.append(line)
            if "Ctrl-C" in line or time.monotonic() > deadline:
                break
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10).read()
        assert b"Log in" in body
        # DEBUG is off: a wrong URL answers the product's own 404 page, not Django's
        # technical page listing every URL; the static files are still served.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=10)
        assert missing.value.code == 404
        page = missing.value.read().decode()
        assert "Page not found" in page
        assert "URLconf" not in page and "ops/" not in page
        css = re.search(r'href="(/static/[^"]+\.css)"', body.decode()).group(1)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=10).status == 200
        check_error_pages_in_a_browser(chromium, f"http://127.0.0.1:{port}")
        printed = "".join(output)
        assert f"http://127.0.0.1:{port}/" in printed
        assert "Demo logins" in printed
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    assert (clone / ".git").exists()

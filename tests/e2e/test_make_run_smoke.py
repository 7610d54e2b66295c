"""`make run` from a fresh clone serves the console with demo data."""

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

from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(240)
def test_make_run_from_a_fresh_clone_serves_the_login_page(tmp_path):
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

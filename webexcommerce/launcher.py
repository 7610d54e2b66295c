"""``make run``: the whole console on embedded defaults, in the foreground.

Migrates the embedded database, loads the demo data, then starts the PayPal simulator, a
Celery worker with beat, and the web server; prints the URL and the demo logins. Ctrl-C (or
SIGTERM) stops every process it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGINS = [
    ("ops", "superuser — Django admin at /ops/"),
    ("alice", "site administrator of acme"),
    ("oscar", "organizer of acme"),
    ("gina", "site administrator of globex"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT") or free_port())
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "webexcommerce.settings.local")
    env.update(
        PAYPAL_PAYFLOW_TEST_URL=f"{sandbox}/",
        PAYPAL_PAYFLOW_LIVE_URL=f"{sandbox}/",
        PAYPAL_EC_TEST_REDIRECT_URL=f"{sandbox}/cgi-bin/webscr",
        PAYPAL_EC_LIVE_REDIRECT_URL=f"{sandbox}/cgi-bin/webscr",
        PAYPAL_REST_TEST_URL=sandbox,
        PAYPAL_REST_LIVE_URL=sandbox,
    )
    for name, value in (
        ("PAYPAL_REST_TEST_CLIENT_ID", "sandbox-platform-client"),
        ("PAYPAL_REST_TEST_SECRET", "sandbox-platform-secret"),
        ("PAYPAL_REST_LIVE_CLIENT_ID", "sandbox-platform-client"),
        ("PAYPAL_REST_LIVE_SECRET", "sandbox-platform-secret"),
    ):
        env.setdefault(name, value)
    # The simulator's webhook events reach this console (POST /paypal/webhooks/).
    env.setdefault("PAYPAL_WEBHOOK_ID_TEST", "LOCALDEMOWEBHOOK1")
    env.setdefault("PAYPAL_SANDBOX_CLIENT_ID", env["PAYPAL_REST_TEST_CLIENT_ID"])
    env.setdefault("PAYPAL_SANDBOX_SECRET", env["PAYPAL_REST_TEST_SECRET"])
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]

    for step in (["migrate", "--no-input", "-v", "0"], ["load_demo"]):
        subprocess.run([*manage, *step], env=env, cwd=ROOT, check=True)  # noqa: S603

    commands = {
        "simulator": [
            *manage,
            "paypal_sandbox",
            "--port",
            str(sandbox_port),
            "--webhook-url",
            f"http://127.0.0.1:{port}/paypal/webhooks/",
            "--webhook-id",
            env["PAYPAL_WEBHOOK_ID_TEST"],
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "webexcommerce",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
        "web": [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
    }
    processes: dict[str, subprocess.Popen] = {}

    def stop(*_args) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
        url = f"http://127.0.0.1:{port}/"
        if not wait_for(url + "accounts/login/"):
            print("The web server did not start; see the messages above.", file=sys.stderr)
            stop()
            return 1
        print("\n" + "=" * 64)
        print(f"Webex e-commerce console: {url}")
        print(f"PayPal sandbox simulator:  {sandbox}/")
        print("Demo logins (password: webex-demo):")
        for login, what in LOGINS:
            print(f"  {login:<6} {what}")
        print("Press Ctrl-C to stop everything.")
        print("=" * 64 + "\n", flush=True)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        dead = [name for name, p in processes.items() if p.poll() is not None]
        print(f"Stopped because {', '.join(dead)} exited.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())

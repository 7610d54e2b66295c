"""Fixtures shared by the whole suite: the PayPal simulator, people and sites."""

from __future__ import annotations

import json
import time
import urllib.request
from decimal import Decimal

import pytest

from payments.sandbox.server import SandboxServer


class SandboxHandle:
    """The running simulator as tests see it: its base URL, ledger and fault switches."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.payflow_url = server.base_url + "/"

    def _call(self, path: str, payload: dict | None = None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            self.base_url + path, data=data, method="POST" if data is not None else "GET"
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            return json.loads(resp.read() or b"{}")

    def ledger(self) -> list[dict]:
        return self._call("/_sandbox/ledger")

    def set_faults(
        self,
        delay_seconds: float = 0,
        drop_after_commit: int = 0,
        only_matching: str = "",
        **switches,
    ) -> None:
        """Set the simulator's fault switches (all others off); see ``state.Faults``.

        ``only_matching`` limits them to requests holding the text. ``switches``:
        ``fail_before``, ``fail_after_commit`` (counts), ``capture_pending_reason``,
        ``fraud_review``, ``pending_reason``, ``approve_without_return``.
        """
        self._call(
            "/_sandbox/faults",
            {
                "delay_seconds": delay_seconds,
                "drop_after_commit": drop_after_commit,
                "only_matching": only_matching,
                **switches,
            },
        )

    def advance_clock(self, seconds: float) -> dict:
        """Move the simulator's clock forward (request-id and token lifetimes follow it)."""
        return self._call("/_sandbox/clock", {"advance_seconds": seconds})

    def approve_order(self, order_id: str) -> dict:
        """The buyer approves on PayPal and never comes back to the return URL."""
        return self._call(f"/_sandbox/orders/{order_id}/approve", {})

    def settle_capture(self, capture_id: str, outcome: str) -> dict:
        """PayPal's later word on a PENDING capture: ``completed`` or ``denied``."""
        return self._call(f"/_sandbox/captures/{capture_id}/settle", {"outcome": outcome})

    def reverse_capture(self, capture_id: str) -> dict:
        """A chargeback on a completed capture."""
        return self._call(f"/_sandbox/captures/{capture_id}/reverse", {})

    def settle_payflow(self, pnref: str, outcome: str) -> dict:
        """A fraud review's or pending payment's end: ``accepted`` or ``rejected``."""
        return self._call(f"/_sandbox/payflow/transactions/{pnref}/settle", {"outcome": outcome})

    def register_merchant(self, email: str, merchant_id: str) -> None:
        self._call("/_sandbox/merchants", {"email": email, "merchant_id": merchant_id})

    def revoke_consent(self, merchant_id: str) -> dict:
        return self._call(f"/_sandbox/merchants/{merchant_id}/revoke", {})

    def configure_webhooks(self, url: str, webhook_id: str = "") -> dict:
        """Send every event from now on to ``url``; returns ``{"url", "webhook_id"}``."""
        return self._call("/_sandbox/webhooks", {"url": url, "webhook_id": webhook_id})

    def deliveries(self) -> list[dict]:
        return self._call("/_sandbox/webhooks/deliveries")

    def wait_for_deliveries(self, count: int, timeout: float = 10) -> list[dict]:
        """The delivery log once it holds at least ``count`` attempts (fails on time-out)."""
        deadline = time.monotonic() + timeout
        while len(log := self.deliveries()) < count:
            assert time.monotonic() < deadline, f"{len(log)} of {count} webhook deliveries"
            time.sleep(0.05)
        return log

    def emit_event(self, event_type: str, resource: dict, resource_type: str = "") -> str:
        """Send a signed event of any type (one the listener may not handle); its id."""
        body = {"event_type": event_type, "resource": resource, "resource_type": resource_type}
        return self._call("/_sandbox/webhooks/emit", body)["event_id"]

    def redeliver(self, event_id: str, same_transmission: bool = False) -> dict:
        return self._call(
            "/_sandbox/webhooks/redeliver",
            {"event_id": event_id, "same_transmission": same_transmission},
        )

    def reset(self) -> None:
        self._call("/_sandbox/reset", {})


@pytest.fixture(scope="session", autouse=True)
def _fresh_shared_cache(django_db_setup):
    """The test database is new each run (its ids start again): so is the shared cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def paypal_sandbox_server():
    server = SandboxServer("127.0.0.1", 0).start()
    yield server
    server.stop()


@pytest.fixture
def paypal_sandbox(paypal_sandbox_server, settings) -> SandboxHandle:
    """A clean simulator on a free port, with every PayPal endpoint setting pointed at it."""
    handle = SandboxHandle(paypal_sandbox_server)
    handle.reset()
    base = handle.base_url
    settings.PAYPAL_PAYFLOW_TEST_URL = base + "/"
    settings.PAYPAL_PAYFLOW_LIVE_URL = base + "/"
    settings.PAYPAL_EC_TEST_REDIRECT_URL = base + "/cgi-bin/webscr"
    settings.PAYPAL_EC_LIVE_REDIRECT_URL = base + "/cgi-bin/webscr"
    settings.PAYPAL_REST_TEST_URL = base
    settings.PAYPAL_REST_LIVE_URL = base
    settings.PAYPAL_REST_TEST_CLIENT_ID = "sandbox-platform-client"
    settings.PAYPAL_REST_TEST_SECRET = "sandbox-platform-secret"
    settings.PAYPAL_REST_LIVE_CLIENT_ID = "sandbox-platform-client"
    settings.PAYPAL_REST_LIVE_SECRET = "sandbox-platform-secret"
    yield handle
    handle.set_faults()


# --- People and sites -------------------------------------------------------------------


@pytest.fixture
def make_site(db):
    from sites.models import Site

    def make(slug: str, **fields) -> Site:
        fields.setdefault("name", slug.title())
        fields.setdefault("ecommerce_provisioned", True)
        return Site.objects.create(slug=slug, **fields)

    return make


@pytest.fixture
def make_member(db, django_user_model):
    from sites.models import Membership

    def make(username: str, site, role: str = "admin"):
        user = django_user_model.objects.create_user(
            username=username, password="pw-" + username, email=f"{username}@example.com"
        )
        Membership.objects.create(user=user, site=site, role=role)
        return user

    return make


@pytest.fixture
def site(make_site):
    return make_site("acme", name="Acme", time_zone="America/New_York")


@pytest.fixture
def other_site(make_site):
    return make_site("globex", name="Globex", time_zone="Europe/Paris", language="fr")


@pytest.fixture
def admin(make_member, site):
    return make_member("alice", site, "admin")


@pytest.fixture
def organizer(make_member, site):
    return make_member("oscar", site, "organizer")


@pytest.fixture
def outsider(make_member, other_site):
    """An administrator of another site."""
    return make_member("gina", other_site, "admin")


@pytest.fixture
def admin_client(admin):
    from django.test import Client

    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def organizer_client(organizer):
    from django.test import Client

    client = Client()
    client.force_login(organizer)
    return client


@pytest.fixture
def outsider_client(outsider):
    from django.test import Client

    client = Client()
    client.force_login(outsider)
    return client


# --- A site ready to take money (Test mode, simulator) -----------------------------------


@pytest.fixture
def eager_celery():
    """Run tasks in-process (for tests that are not about the worker)."""
    from webexcommerce.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def shop(site, paypal_sandbox):
    """``site`` in Test mode with Payflow Pro (simulator account acmedemo), both services on."""
    from tests.factories import open_payflow_shop

    return open_payflow_shop(site)


@pytest.fixture
def priced_session(shop):
    from sites.models import Session

    return Session.objects.create(
        site=shop,
        title="Launch keynote",
        service="events",
        kind="event_recording",
        fee=Decimal("100.00"),
    )


@pytest.fixture
def use_express_checkout_us(shop):
    """Switch ``shop`` to Express Checkout (US) with permission granted."""
    from payments.models import CommerceSettings, ExpressCheckoutAccount

    ExpressCheckoutAccount.objects.create(
        site=shop,
        kind="express_checkout_us",
        paypal_email="merchant@acme.example",
        currency="USD",
        permission_status="granted",
        merchant_id_in_paypal="ABCDEFGHIJKLM",
    )
    CommerceSettings.objects.filter(site=shop).update(provider="express_checkout_us")
    return shop

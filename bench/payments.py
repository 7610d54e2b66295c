"""The payment page under the benchmark: server time of GET and of a card payment POST.

Each figure stands beside its floor: for GET, a bare Django view that loads the same session
and returns a tiny page (what Django itself costs); for POST, the same Payflow sale sent by
the gateway client alone (what PayPal's round trip costs, here to the bundled simulator).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from payments.gateways.base import CardDetails
from payments.gateways.payflow import PayflowClient
from payments.models import CommerceSettings, PayflowAccount, Payment
from payments.sandbox.server import SandboxServer
from sites.models import Session, Site

from .harness import Result, probe, sample_each, spreads

SITE_SLUG = "bench-pay"
CARD = CardDetails("4111111111111111", 12, 2039, "123", "Bench Buyer", "10001")


def build() -> Session:
    site, _ = Site.objects.update_or_create(
        slug=SITE_SLUG,
        defaults={"name": "Bench payments", "ecommerce_provisioned": True, "currency": "USD"},
    )
    CommerceSettings.objects.update_or_create(
        site=site,
        defaults={
            "events_enabled": True,
            "business_name": "Bench Inc",
            "support_info": "help@bench.example",
            "provider": "payflow_pro",
            "header_text": "Pay below.",
        },
    )
    PayflowAccount.objects.update_or_create(
        site=site,
        kind="payflow_pro",
        defaults={
            "partner": "PayPal",
            "vendor": "acmedemo",
            "user": "acmedemo",
            "password": "pilot-pass-1",
            "account_type": "payflow_pro",
            "cards": ["visa", "mastercard"],
            "express_checkout": True,
            "currency": "USD",
        },
    )
    session, _ = Session.objects.get_or_create(
        site=site,
        title="Bench recording",
        defaults={"service": "events", "kind": "event_recording", "fee": Decimal("10.00")},
    )
    return session


def floor_view(request, session_id: int):
    session = Session.objects.select_related("site").get(pk=session_id)
    return HttpResponse(f"<html><body><h1>{session.title}</h1><p>{session.fee}</p></body></html>")


def run(log: Callable[[str], None]) -> list[Result]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the simulator's access log
    session = build()
    server = SandboxServer("127.0.0.1", 0).start()
    base = server.base_url
    try:
        with override_settings(
            PAYPAL_PAYFLOW_TEST_URL=base + "/",
            PAYPAL_EC_TEST_REDIRECT_URL=base + "/cgi-bin/webscr",
            PAYPAL_REST_TEST_URL=base,
            # Every timed payment comes from the one client of this process.
            PAYMENT_ATTEMPTS_PER_CLIENT=10**9,
            PAYMENT_ATTEMPTS_PER_CODE=10**9,
        ):
            return [_bench_get(session), _bench_post(session, base)]
    finally:
        server.stop()
        Payment.objects.filter(site__slug=SITE_SLUG).delete()


def _bench_get(session: Session) -> Result:
    client = Client()
    url = reverse("payment-page", args=[SITE_SLUG, session.pk])
    response, queries = probe(client, url)
    assert response.status_code == 200, response.status_code
    request = RequestFactory().get("/")
    times = sample_each(
        {"ours": lambda: client.get(url), "floor": lambda: floor_view(request, session.pk)}, 25
    )
    return Result(
        "Payment page GET",
        times["ours"].median,
        times["floor"].median,
        "≤ 50 ms",
        f"{queries} queries; floor: bare view; {spreads(times)}",
    )


def _bench_post(session: Session, base: str) -> Result:
    client = Client()
    url = reverse("payment-page", args=[SITE_SLUG, session.pk])
    page = client.get(url).content.decode()
    template = {
        "attendee_name": "Bench Buyer",
        "attendee_email": "buyer@bench.example",
        "card_type": "visa",
        "card_number": CARD.number,
        "expiry": "12/39",
        "security_code": "123",
        "name_on_card": "Bench Buyer",
        "action": "pay_card",
    }
    assert re.search(r'name="attempt"', page)

    def pay():
        response = client.post(url, {**template, "attempt": str(uuid.uuid4())})
        assert response.status_code == 302, response.status_code

    pay()
    gateway = PayflowClient(base + "/", "PayPal", "acmedemo", "acmedemo", "pilot-pass-1")
    times = sample_each(
        {
            "ours": pay,
            "floor": lambda: gateway.sale(CARD, Decimal("10.00"), "USD", uuid.uuid4().hex),
        },
        15,
    )
    return Result(
        "Payment page POST, card sale to the simulator",
        times["ours"].median,
        times["floor"].median,
        "",
        f"floor: the Payflow sale by the client alone; {spreads(times)}",
    )

"""The simulated attendees of ``make bench-load`` (Locust), one class per line of the table.

Each user loops without pause (a closed loop: ``--users`` requests in flight at once). The
driver (``bench/load.py``) names the class to run and passes the page through the
environment: ``BENCH_LOAD_PAGE`` (the payment page's path), ``BENCH_LOAD_ONE_QUERY`` (the
one-query bare view's path), ``BENCH_LOAD_CODE`` (a promo code to apply) and
``BENCH_LOAD_PAYFLOW_URL`` (the simulator, for the gateway call alone).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from decimal import Decimal

from locust import User, constant, task
from locust.contrib.fasthttp import FastHttpUser

PAGE = os.environ.get("BENCH_LOAD_PAGE", "/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFUSAL = re.compile(r'class="(?:alert alert-\w+|invalid-feedback[^"]*)"[^>]*>(.*?)</div>', re.S)
CARD = {
    "attendee_name": "Load Buyer",
    "attendee_email": "buyer@load.example",
    "card_type": "visa",
    "card_number": "4111111111111111",
    "expiry": "12/39",
    "security_code": "123",
    "name_on_card": "Load Buyer",
    "action": "pay_card",
}


class BareView(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("/bench/bare/", name="bare view")


class OneQueryView(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get(os.environ["BENCH_LOAD_ONE_QUERY"], name="one-query view")


class PageGet(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get(PAGE, name="page GET")


class _PagePost(FastHttpUser):
    """Fetches the page once (CSRF cookie and token), then posts in a loop."""

    abstract = True
    wait_time = constant(0)

    def on_start(self):
        body = self.client.get(PAGE, name="first GET (not timed)").text
        self.token = CSRF.search(body).group(1)

    def post(self, fields: dict, name: str, expected: int):
        data = {**fields, "csrfmiddlewaretoken": self.token, "attempt": str(uuid.uuid4())}
        headers = {"Referer": self.host + PAGE}
        with self.client.post(
            PAGE,
            data=data,
            headers=headers,
            name=name,
            catch_response=True,
            allow_redirects=False,  # the payment's own time, not the confirmation page's
        ) as response:
            if response.status_code != expected:
                refusal = REFUSAL.search(response.text or "")
                reason = re.sub(r"<[^>]+>", "", refusal.group(1)).strip() if refusal else ""
                invalid = re.findall(r'name="(\w+)"[^>]*aria-invalid', response.text or "")
                response.failure(f"HTTP {response.status_code} {reason} {invalid}".strip())


class PromoApply(_PagePost):
    @task
    def apply(self):
        fields = {"action": "apply", "promo_code": os.environ["BENCH_LOAD_CODE"]}
        self.post(fields, "promo Apply", 200)


class CardPayment(_PagePost):
    @task
    def pay(self):
        self.post(CARD, "card payment", 302)


class GatewaySale(User):
    """The Payflow sale alone: the product's gateway client straight to the simulator."""

    wait_time = constant(0)

    def on_start(self):
        import django

        django.setup()  # the client's messages are translatable

        from payments.gateways.base import CardDetails
        from payments.gateways.payflow import PayflowClient

        self.card = CardDetails("4111111111111111", 12, 2039, "123", "Load Buyer", "10001")
        self.gateway = PayflowClient(
            os.environ["BENCH_LOAD_PAYFLOW_URL"], "PayPal", "acmedemo", "acmedemo", "pilot-pass-1"
        )

    @task
    def sale(self):
        started = time.perf_counter()
        error = None
        try:
            result = self.gateway.sale(self.card, Decimal("10.00"), "USD", uuid.uuid4().hex)
            if result.outcome.value != "approved":
                error = RuntimeError(f"sale {result.outcome.value}")
        except Exception as exc:  # counted as a failure of the round
            error = exc
        self.environment.events.request.fire(
            request_type="PAYFLOW",
            name="gateway sale",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

"""Steps of a payment through the page and the simulated PayPal, shared by the money-safety
tests: start, approve, come back, run the resolver, read the ledger."""

from __future__ import annotations

from django.urls import reverse

from payments.models import Payment
from payments.tasks import resolve_pending_payments
from tests.payments.test_payment_page import approve_on_paypal, form_data, page_url

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def start(client, session, **fields) -> str:
    """Press *Pay with PayPal*; the approval URL on the simulator."""
    data = form_data(client, session, action="pay_paypal", **fields)
    response = client.post(page_url(session), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def approve(client, session, **fields) -> str:
    """Start and approve on PayPal; the return path the buyer's browser is sent to."""
    return approve_on_paypal(start(client, session, **fields), "approve")


def resolve(settings) -> dict[str, int]:
    """One run of the beat resolver, in this process, with no grace period."""
    settings.PAYMENT_PENDING_GRACE_SECONDS = 0
    return resolve_pending_payments()


def done_page(client, payment: Payment, **headers) -> str:
    response = client.get(reverse("payment-done", args=[payment.public_token]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def kinds(sandbox) -> list[str]:
    return [entry["kind"] for entry in sandbox.ledger()]


def transactions_page(client, site, **headers) -> str:
    url = reverse("transactions", args=[site.slug]) + "?scope=all"
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()

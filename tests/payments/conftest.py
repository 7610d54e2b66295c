"""Fixtures for payment tests: a site ready to take money in Test mode against the simulator."""

from decimal import Decimal

import pytest

from payments.models import CommerceSettings, ExpressCheckoutAccount, PayflowAccount
from sites.models import Session


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
    CommerceSettings.objects.create(
        site=site,
        events_enabled=True,
        training_enabled=True,
        business_name="Acme Events",
        support_info="help@acme.example",
        header_text="Pay securely below.",
        footer_text="No refunds after the event.",
        provider="payflow_pro",
    )
    PayflowAccount.objects.create(
        site=site,
        kind="payflow_pro",
        partner="PayPal",
        vendor="acmedemo",
        user="acmedemo",
        password="pilot-pass-1",
        account_type="payflow_pro",
        cards=["visa", "mastercard", "amex", "discover"],
        express_checkout=True,
        currency="USD",
    )
    site.currency = "USD"
    site.save()
    return site


@pytest.fixture
def priced_session(shop):
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

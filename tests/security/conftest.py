"""Fixtures of the security suite: two sites full of data, and the people of each.

``site`` (acme) is the site under attack; ``other_site`` (globex) belongs to ``outsider``.
Both hold one row of every kind the console shows (settings, provider accounts, priced
sessions, a promo-code batch and its codes, a paid test payment, a revision), so that a URL
with an object id points at a real object and a 404 proves the scoping, not a missing row.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import open_payflow_shop


def populate(site, actor) -> SimpleNamespace:
    """One row of everything a console page can show, for ``site``."""
    from payments.models import (
        ExpressCheckoutAccount,
        PayflowAccount,
        Payment,
        Registration,
    )
    from promocodes.models import CreationBatch, PromoCode
    from sites.models import Revision, Session

    open_payflow_shop(site, business_name=f"{site.name} Events")
    PayflowAccount.objects.create(
        site=site,
        kind="website_payments_pro_gb",
        partner="PayPalUK",
        vendor="acmeuk",
        user="acmeuk",
        password="pilot-pass-2",
        account_type="wpp_payflow_edition",
        cards=["visa_debit_electron", "mastercard"],
        currency="GBP",
    )
    ExpressCheckoutAccount.objects.create(
        site=site,
        kind="express_checkout_us",
        paypal_email="merchant@example.com",
        currency="USD",
        permission_status="granted",
        merchant_id_in_paypal="ABCDEFGHIJKLM",
    )
    ExpressCheckoutAccount.objects.create(
        site=site,
        kind="express_checkout_ca",
        paypal_email="merchant-ca@example.com",
        currency="CAD",
        permission_status="pending",
        referral_tracking_id="track-" + site.slug,
    )
    session = Session.objects.create(
        site=site,
        title="Launch keynote",
        service="events",
        kind="event_recording",
        fee=Decimal("100.00"),
        organizer=actor,
    )
    live = Session.objects.create(
        site=site,
        title="Onboarding class",
        service="training",
        kind="live_training",
        starts_at=timezone.now() + timedelta(days=7),
        fee=Decimal("40.00"),
    )
    batch = CreationBatch.objects.create(
        site=site, service="events", created_by=actor, total=1, done=1, state="done"
    )
    code = PromoCode.objects.create(
        site=site,
        service="events",
        code=f"{site.slug.upper()}10OFF",
        recipient_name="Pat",
        recipient_email="pat@example.com",
        max_uses=5,
        discount_type="percent",
        discount_value=Decimal("10"),
        expires_on=date.today() + timedelta(days=30),
        batch=batch,
        created_by=actor,
    )
    payment = Payment.objects.create(
        site=site,
        session=session,
        attendee_name="Ann Attendee",
        attendee_email="ann@example.com",
        fee=Decimal("100.00"),
        amount=Decimal("100.00"),
        currency="USD",
        provider="payflow_pro",
        method="card",
        is_test=True,
        status="paid",
        card_brand="visa",
        card_last4="1111",
        gateway_reference="A10A0B1C2D3E",
        paid_at=timezone.now(),
    )
    Registration.objects.create(
        site=site,
        session=session,
        payment=payment,
        attendee_name=payment.attendee_name,
        attendee_email=payment.attendee_email,
    )
    Revision.objects.create(
        site=site,
        actor=actor,
        area="ecommerce.business",
        changes=[{"field": "business_name", "label": "Business name", "old": "", "new": "X"}],
    )
    return SimpleNamespace(
        site=site, session=session, live=live, batch=batch, code=code, payment=payment
    )


class World(SimpleNamespace):
    def client(self, who: str | None, **kwargs) -> Client:
        """A test client logged in as ``who`` ("admin", "organizer", "outsider"; None:
        anonymous), made once per test."""
        key = (who, tuple(sorted(kwargs.items())))
        if key not in self.clients:
            client = Client(**kwargs)
            if who is not None:
                client.force_login(getattr(self, who))
            self.clients[key] = client
        return self.clients[key]


@pytest.fixture
def world(site, other_site, admin, organizer, outsider, paypal_sandbox):
    """Both sites populated; ``world.a`` is the attacked site, ``world.b`` the outsider's.

    Every PayPal endpoint points at the simulator, so a page that calls PayPal never leaves
    the machine.
    """
    return World(
        a=populate(site, admin),
        b=populate(other_site, outsider),
        admin=admin,
        organizer=organizer,
        outsider=outsider,
        clients={},
    )

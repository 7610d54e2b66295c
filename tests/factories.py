"""Builders of test data shared by several test packages."""

from __future__ import annotations


def open_payflow_shop(site, *, business_name: str = "Acme Events"):
    """Make ``site`` take card payments in Test mode through the simulator's ``acmedemo``.

    Both services on, Payflow Pro active with Visa/MasterCard/AMEX/Discover and Express
    Checkout, business info and payment page text set, site currency USD.
    """
    from payments.models import CommerceSettings, PayflowAccount

    CommerceSettings.objects.update_or_create(
        site=site,
        defaults={
            "events_enabled": True,
            "training_enabled": True,
            "business_name": business_name,
            "support_info": "help@acme.example",
            "header_text": "Pay securely below.",
            "footer_text": "No refunds after the event.",
            "provider": "payflow_pro",
        },
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


def payment(session, status="paid", **fields):
    """An unsaved card payment of 100.00 USD for ``session`` by Ada, in ``status``; ``fields``
    add to or replace these (for ``bulk_create``; ``make_payment`` saves one)."""
    from decimal import Decimal

    from payments.models import Payment

    values = {
        "site": session.site,
        "session": session,
        "attendee_name": "Ada",
        "attendee_email": "ada@example.com",
        "fee": Decimal("100.00"),
        "amount": Decimal("100.00"),
        "currency": "USD",
        "provider": "payflow_pro",
        "method": "card",
        "status": status,
    }
    return Payment(**{**values, **fields})


def make_payment(session, status="paid", **fields):
    """``payment(session, status, **fields)``, saved."""
    saved = payment(session, status, **fields)
    saved.save(force_insert=True)
    return saved

"""Every provider and account type takes the payments it offers, over HTTP to the simulator."""

from decimal import Decimal

import pytest

from payments.models import CommerceSettings, ExpressCheckoutAccount, PayflowAccount, Payment
from tests.payments.test_payment_page import (
    approve_on_paypal,
    cancel_on_our_page,
    form_data,
    page_url,
)

pytestmark = pytest.mark.django_db

UK = {
    "partner": "PayPalUK",
    "vendor": "globexuk",
    "user": "globexuk",
    "password": "pilot-pass-uk-1",
}
US = {"partner": "PayPal", "vendor": "acmedemo", "user": "acmedemo", "password": "pilot-pass-1"}

# (provider, account type, credentials, ticked cards, card type to pay with, currency,
#  offers cards, offers the PayPal button)
CONFIGS = [
    ("payflow_pro", "payflow_pro", US, ["visa", "jcb"], "jcb", "USD", True, True),
    (
        "payflow_pro",
        "payments_pro_payflow_edition",
        US,
        ["mastercard"],
        "mastercard",
        "USD",
        True,
        False,
    ),
    ("payflow_pro", "website_payments_pro", US, [], None, "USD", False, True),
    (
        "website_payments_pro_gb",
        "wpp_payflow_edition",
        UK,
        ["visa_debit_electron"],
        "visa_debit_electron",
        "GBP",
        True,
        False,
    ),
    ("website_payments_pro_gb", "website_payments_pro", UK, [], None, "GBP", False, True),
    ("express_checkout_us", None, None, [], None, "USD", False, True),
    ("express_checkout_ca", None, None, [], None, "CAD", False, True),
]
CARD_FOR = {
    "jcb": "3530111333300000",
    "mastercard": "5555555555554444",
    "visa_debit_electron": "4111111111111111",
}


def configure(site, provider, account_type, credentials, cards, currency):
    CommerceSettings.objects.filter(site=site).update(provider=provider)
    if account_type is None:
        ExpressCheckoutAccount.objects.create(
            site=site,
            kind=provider,
            paypal_email="merchant@acme.example",
            currency=currency,
            permission_status="granted",
            merchant_id_in_paypal="ABCDEFGHIJKLM",
        )
    else:
        PayflowAccount.objects.update_or_create(
            site=site,
            kind=provider,
            defaults={
                **credentials,
                "account_type": account_type,
                "cards": cards,
                "express_checkout": account_type == "payflow_pro",
                "currency": currency,
            },
        )
    site.currency = currency
    site.save()


@pytest.mark.parametrize(
    "provider, account_type, credentials, cards, card_type, currency, has_cards, has_paypal",
    CONFIGS,
    ids=[f"{c[0]}-{c[1] or 'rest'}" for c in CONFIGS],
)
def test_each_configuration_offers_and_takes_its_payments(
    client,
    priced_session,
    paypal_sandbox,
    provider,
    account_type,
    credentials,
    cards,
    card_type,
    currency,
    has_cards,
    has_paypal,
):
    configure(priced_session.site, provider, account_type, credentials, cards, currency)
    body = client.get(page_url(priced_session)).content.decode()
    assert ('name="card_number"' in body) is has_cards
    assert ("Pay with PayPal" in body) is has_paypal
    for card in ("visa", "mastercard", "amex", "discover", "diners", "jcb"):
        assert (f'value="{card}"' in body) is (card in cards)

    if has_cards:
        data = form_data(
            client, priced_session, card_type=card_type, card_number=CARD_FOR[card_type]
        )
        assert client.post(page_url(priced_session), data).status_code == 302
        payment = Payment.objects.latest("pk")
        assert payment.status == "paid", payment.result_message
        assert payment.currency == currency and payment.provider == provider

        priced_session.fee = Decimal("1012.00")  # the pilot server declines: RESULT 12
        priced_session.save()
        data = form_data(
            client, priced_session, card_type=card_type, card_number=CARD_FOR[card_type]
        )
        client.post(page_url(priced_session), data)
        declined = Payment.objects.latest("pk")
        assert declined.status == "declined" and declined.result_code == "12"
        priced_session.fee = Decimal("100.00")
        priced_session.save()

    if has_paypal:
        data = form_data(client, priced_session, action="pay_paypal")
        approval = client.post(page_url(priced_session), data)["Location"]
        client.get(approve_on_paypal(approval, "approve"), follow=True)
        payment = Payment.objects.latest("pk")
        assert payment.status == "paid" and payment.method == "paypal", payment.result_message
        assert payment.currency == currency

        data = form_data(client, priced_session, action="pay_paypal")
        approval = client.post(page_url(priced_session), data)["Location"]
        cancel_on_our_page(client, approve_on_paypal(approval, "cancel"))
        assert Payment.objects.latest("pk").status == "cancelled"

    paid = [e for e in paypal_sandbox.ledger() if e["kind"] != "credit"]
    assert len(paid) == int(has_cards) + int(has_paypal)

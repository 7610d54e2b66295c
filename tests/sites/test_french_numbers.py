"""Money and numbers on French pages: ``999 999,99 $`` (the unit after the number, a
non-breaking space before it), counts grouped by three with a non-breaking space (``1 000``);
the same places in English keep ``$999,999.99`` and ``1,000``."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import Payment, PaymentStatus
from promocodes.models import PromoCode

pytestmark = pytest.mark.django_db

NB = "\u00a0"
BIG = Decimal("999999.99")


def read(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def thousand_payments(priced_session):
    """1,000 paid test payments of 999,999.99 $ (one Payment row each, one INSERT)."""
    Payment.objects.bulk_create(
        Payment(
            site=priced_session.site,
            session=priced_session,
            fee=BIG,
            discount=Decimal("0"),
            amount=BIG,
            currency="USD",
            provider="payflow_pro",
            method="card",
            status=PaymentStatus.PAID,
            is_test=True,
            attendee_name=f"Attendee {n}",
            attendee_email=f"a{n}@example.com",
            card_brand="visa",
            card_last4="1111",
            gateway_reference=f"R{n:011d}",
        )
        for n in range(1000)
    )
    return priced_session


def thousand_codes(site, prefix: str) -> list[PromoCode]:
    """1,000 unsaved 10 % codes of Webex Events, ``<prefix>0000`` to ``<prefix>0999``."""
    return [
        PromoCode(
            site=site,
            code=f"{prefix}{n:04d}",
            service="events",
            discount_type="percent",
            discount_value=Decimal("10"),
            expires_on=date(2039, 1, 1),
        )
        for n in range(1000)
    ]


def test_the_payment_page_shows_the_fee_the_french_way(client, priced_session):
    priced_session.fee = BIG
    priced_session.save()
    url = reverse("payment-page", args=[priced_session.site.slug, priced_session.pk])
    assert f"999{NB}999,99{NB}$" in read(client, url, "fr")
    assert "$999,999.99" in read(client, url, "en")


def test_transactions_totals_and_dashboard_group_digits_in_french(admin_client, thousand_payments):
    live_only = reverse("transactions", args=[thousand_payments.site.slug])
    assert f"1{NB}000 paiements de test correspondent" in read(admin_client, live_only, "fr")
    url = reverse("transactions", args=[thousand_payments.site.slug]) + "?scope=test"
    french = read(admin_client, url, "fr")
    assert f"data-count>1{NB}000</td>" in french
    assert f"data-paid-count>1{NB}000</td>" in french
    assert f"data-gross>999{NB}999{NB}990,00{NB}$</td>" in french
    assert f"1{NB}000 paiements" in french  # the dashboard's outcome and method charts
    assert f"1{NB}000 payés" in french  # top sessions
    english = read(admin_client, url, "en")
    assert "data-count>1,000</td>" in english and "data-gross>$999,999,990.00</td>" in english
    assert "1,000 payments" in english


def test_promo_report_uses_discounts_and_insights_in_french(admin_client, site):
    codes = thousand_codes(site, "CODE")
    codes[0].discount_type, codes[0].discount_value = "fixed", Decimal("25")
    codes[0].uses, codes[0].max_uses = 1234, 5000
    PromoCode.objects.bulk_create(codes)
    url = reverse("promocode-report", args=[site.slug, "events"]) + "?service=events&q=CODE0000"
    french = read(admin_client, url, "fr")
    assert f"<td>1{NB}234 / 5{NB}000</td>" in french
    assert f"<td>25,00{NB}$</td>" in french
    everything = read(admin_client, reverse("promocode-report", args=[site.slug, "events"]), "fr")
    assert f"1{NB}000 codes" in everything  # insights: issued
    assert f"<td>10{NB}%</td>" in everything
    english = read(admin_client, url, "en")
    assert "<td>1,234 / 5,000</td>" in english and "<td>$25.00</td>" in english


def test_extending_many_codes_says_how_many_with_grouped_digits(admin_client, site):
    PromoCode.objects.bulk_create(thousand_codes(site, "EXT"))
    admin_client.cookies["django_language"] = "fr"
    response = admin_client.post(
        reverse("promocode-action", args=[site.slug, "events"]),
        {"action": "extend", "scope": "all", "until": "31/12/2040"},
        follow=True,
    )
    assert f"1{NB}000 codes promotionnels prolongés" in response.content.decode()

"""Money and numbers on French pages: ``999 999,99 $`` (the unit after the number, a
non-breaking space before it), counts grouped by three with a non-breaking space (``1 000``);
the same places in English keep ``$999,999.99`` and ``1,000``."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from payments.forms.transactions import RefundForm
from payments.models import Payment, PaymentStatus
from promocodes import creation, expiry
from promocodes.emails import render_code_email
from promocodes.models import PromoCode
from promocodes.recipients import parse_recipients
from sites import history_display
from sites.models import Revision
from tests.promocodes.test_generation import new_batch

pytestmark = pytest.mark.django_db

NB = "\u00a0"
BIG = Decimal("999999.99")


@pytest.fixture(autouse=True)
def language_given_back():
    """A request in French leaves French active in this thread (LocaleMiddleware activates,
    nothing deactivates): the next test gets back the language it would have had."""
    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


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
    assert summaries(site, "promocodes.extend") == (
        f"Codes promotionnels prolongés jusqu'au 31/12/2040{NB}: 1{NB}000 "
        "(0 réactivés, 0 supprimés ignorés).",
        "Extended 1,000 promotional codes until 31/12/2040 (0 reactivated, 0 deleted skipped).",
    )


def summaries(site, area: str) -> tuple[str, str]:
    """The summary of the site's one revision of ``area`` as History shows it, in French then
    in English."""
    revision = Revision.objects.for_site(site).get(area=area)
    shown = []
    for language in ("fr", "en"):
        with translation.override(language):
            shown.append(history_display.entry(revision, UTC).summary)
    return tuple(shown)


def test_deleting_many_codes_says_how_many_in_the_message_and_history(admin_client, site):
    PromoCode.objects.bulk_create(thousand_codes(site, "DEL"))
    url = reverse("promocode-action", args=[site.slug, "events"])
    data = {"action": "delete", "scope": "all", "filters": ""}
    for language, said in (("fr", f"1{NB}000 codes promotionnels supprimés."), ("en", None)):
        admin_client.cookies["django_language"] = language
        response = admin_client.post(url, data, follow=True)
        if said:
            assert said in response.content.decode()
    assert summaries(site, "promocodes.delete") == (
        f"1{NB}000 codes promotionnels supprimés.",
        "Deleted 1,000 promotional codes.",
    )


def test_the_report_counts_its_codes_with_grouped_digits(admin_client, site):
    PromoCode.objects.bulk_create(thousand_codes(site, "CNT"))
    url = reverse("promocode-report", args=[site.slug, "events"])
    assert f"data-report-count>1{NB}000 codes promotionnels</p>" in read(admin_client, url, "fr")
    assert "data-report-count>1,000 promotional codes</p>" in read(admin_client, url, "en")


def test_creating_many_codes_is_summarised_in_history_with_grouped_digits(site):
    creation.generate_batch_codes(new_batch(site, quantity=1000))
    french, english = summaries(site, "promocodes.create")
    assert french.startswith(f"1{NB}000 codes promotionnels créés (Webex Events")
    assert english.startswith("Created 1,000 promotional codes (Webex Events")


def test_expiring_many_codes_is_summarised_in_history_with_grouped_digits(site):
    codes = thousand_codes(site, "OLD")
    for code in codes:
        code.expires_on = date(2020, 1, 1)
    PromoCode.objects.bulk_create(codes)
    assert expiry.expire_due_codes(datetime(2020, 1, 3, tzinfo=UTC)) == {site.pk: 1000}
    assert summaries(site, "promocodes.expiry") == (
        f"1{NB}000 codes promotionnels ont expiré.",
        "1,000 promotional codes expired.",
    )


def test_deleting_many_test_payments_says_how_many(admin_client, thousand_payments):
    site = thousand_payments.site
    admin_client.cookies["django_language"] = "fr"
    response = admin_client.post(
        reverse("transactions-delete-test", args=[site.slug]),
        {"scope": "matching", "filters": "scope=test"},
        follow=True,
    )
    assert f"1{NB}000 paiements de test supprimés." in response.content.decode()
    assert not Payment.objects.exists()
    assert summaries(site, "transactions.delete_test") == (
        f"1{NB}000 paiements de test supprimés.",
        "Deleted 1,000 test payments.",
    )


def test_too_many_recipients_are_counted_with_grouped_digits():
    upload = "".join(f"r{n}@example.com\n" for n in range(1001)).encode()
    for language, said in (
        ("fr", f"Le fichier contient 1{NB}001 destinataires{NB}; 1{NB}000 au maximum"),
        ("en", "The file has 1,001 recipients; at most 1,000 are allowed."),
    ):
        with pytest.raises(ValidationError) as refused, translation.override(language):
            parse_recipients(SimpleUploadedFile("list.txt", upload))
        with translation.override(language):
            assert said in refused.value.messages[0]


def test_the_code_email_says_how_many_times_with_grouped_digits(site):
    code = thousand_codes(site, "MAIL")[0]
    code.max_uses = 5000
    code.save()
    assert f"Il peut être utilisé 5{NB}000 fois." in render_code_email(code, "fr")[1]
    assert "It can be used 5,000 times." in render_code_email(code, "en")[1]


def test_the_refund_form_states_amounts_the_french_way():
    """Help text and refusal name the amount with its currency as the language writes it."""
    for language, left, at_most in (
        ("fr", f"tout le reste{NB}: 999{NB}999,99{NB}$.", f"au plus 999{NB}999,99{NB}$."),
        ("en", "everything left: $999,999.99.", "At most $999,999.99 can be refunded."),
    ):
        with translation.override(language):
            form = RefundForm({"amount": "1000000"}, available=BIG, currency="USD")
            assert left in str(form.fields["amount"].help_text)
            assert not form.is_valid()
            assert at_most in form.errors["amount"][0]

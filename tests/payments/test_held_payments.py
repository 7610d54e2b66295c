"""Issue 11 §2–4: PayPal accepts a payment but holds the money — an Orders capture PENDING with
its reason, Payflow RESULT 126 (fraud review), an Express Checkout PENDINGREASON. The payment is
*Awaiting PayPal*: no registration, no receipt, the code use held, refunds refused; the
resolver settles it when PayPal says (paid + receipt, or failed + code back)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from payments import refunds
from payments.models import Payment, Registration
from promocodes.models import PromoCode
from tests.payments.paypal_steps import FR, approve, done_page, resolve, transactions_page
from tests.payments.test_payment_page import form_data, make_code, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(priced_session):
    return make_code(priced_session.site, max_uses=1)


def assert_held(client, admin_client, payment, *, attendee_en, attendee_fr, admin_en, admin_fr):
    assert payment.status == "awaiting_paypal"
    assert not Registration.objects.filter(payment=payment).exists()
    attendee = done_page(client, payment)
    assert "Your registration is not confirmed yet." in attendee and attendee_en in attendee
    assert "payment is confirmed" not in attendee
    french = done_page(client, payment, **FR)
    assert "Votre inscription n’est pas encore confirmée." in french and attendee_fr in french
    report = transactions_page(admin_client, payment.site)
    assert "Awaiting PayPal" in report and admin_en in report
    report_fr = transactions_page(admin_client, payment.site, **FR)
    assert "En attente de PayPal" in report_fr and admin_fr in report_fr
    with translation.override("en"), pytest.raises(refunds.RefundRefused, match="Only a paid"):
        refunds.refund_payment(payment, None, None)
    assert PromoCode.objects.get(code="SAVE20").uses == 1
    assert mail.outbox == []


# --- §2 Orders v2 capture PENDING --------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["completed", "denied"])
def test_a_pending_capture_awaits_paypal_then_settles_on_its_word(
    client,
    admin_client,
    priced_session,
    paypal_sandbox,
    use_express_checkout_us,
    code,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
    outcome,
):
    back = approve(client, priced_session, promo_code="SAVE20")
    paypal_sandbox.set_faults(capture_pending_reason="PENDING_REVIEW")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(back)
    payment = Payment.objects.get()
    assert payment.held_reason == "PENDING_REVIEW"
    assert_held(
        client,
        admin_client,
        payment,
        attendee_en="PayPal is holding your payment for now.",
        attendee_fr="PayPal retient votre paiement pour le moment.",
        admin_en="PayPal is reviewing the payment for risk.",
        admin_fr="PayPal examine le paiement pour évaluer le risque.",
    )
    assert paypal_sandbox.ledger() == []  # held money has not moved
    with django_capture_on_commit_callbacks(execute=True):
        assert resolve(settings) == {"awaiting_paypal": 1}  # still held: looked up, kept
    assert mail.outbox == []

    paypal_sandbox.settle_capture(payment.gateway_reference, outcome)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(settings)
    payment.refresh_from_db()
    if outcome == "completed":
        assert payment.status == "paid" and payment.held_reason == ""
        assert Registration.objects.filter(payment=payment).exists()
        assert len(mail.outbox) == 1
        assert [e["kind"] for e in paypal_sandbox.ledger()] == ["capture"]
        assert PromoCode.objects.get(pk=code.pk).uses == 1
    else:
        assert payment.status == "failed"
        assert mail.outbox == [] and paypal_sandbox.ledger() == []
        assert PromoCode.objects.get(pk=code.pk).uses == 0
        assert "The payment did not go through." in done_page(client, payment)


# --- §3 Payflow RESULT 126 -------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["accepted", "rejected"])
def test_a_card_payment_under_fraud_review_is_being_reviewed_until_the_inquiry_settles_it(
    client,
    admin_client,
    priced_session,
    paypal_sandbox,
    code,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
    outcome,
):
    paypal_sandbox.set_faults(fraud_review=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page_url(priced_session), form_data(client, priced_session, promo_code="SAVE20")
        )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.held_reason == "fraud_review" and payment.result_code == "126"
    assert_held(
        client,
        admin_client,
        payment,
        attendee_en="Your payment is being reviewed.",
        attendee_fr="Votre paiement est en cours d’examen.",
        admin_en="Under review by the merchant&#x27;s fraud protection (Payflow result 126).",
        admin_fr="En cours d’examen par la protection contre la fraude du marchand",
    )
    paypal_sandbox.set_faults()
    paypal_sandbox.settle_payflow(payment.gateway_reference, outcome)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(settings)
    payment.refresh_from_db()
    if outcome == "accepted":
        assert payment.status == "paid" and len(mail.outbox) == 1
        assert [e["kind"] for e in paypal_sandbox.ledger()] == ["sale"]
        assert PromoCode.objects.get(pk=code.pk).uses == 1
    else:
        assert payment.status == "failed" and mail.outbox == []
        assert paypal_sandbox.ledger() == []
        assert PromoCode.objects.get(pk=code.pk).uses == 0


# --- §4 Express Checkout through Payflow: PENDINGREASON --------------------------------------


@pytest.mark.parametrize("outcome", ["accepted", "rejected"])
def test_an_express_checkout_pendingreason_awaits_paypal(
    client,
    admin_client,
    priced_session,
    paypal_sandbox,
    code,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
    outcome,
):
    back = approve(client, priced_session, promo_code="SAVE20")
    paypal_sandbox.set_faults(pending_reason="echeck")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(back)
    payment = Payment.objects.get()
    assert payment.held_reason == "echeck"
    assert_held(
        client,
        admin_client,
        payment,
        attendee_en="PayPal is holding your payment for now.",
        attendee_fr="PayPal retient votre paiement pour le moment.",
        admin_en="Paid by eCheck: PayPal releases the money once the eCheck clears.",
        admin_fr="Payé par eCheck",
    )
    paypal_sandbox.set_faults()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(settings)
    assert Payment.objects.get().status == "awaiting_paypal"
    paypal_sandbox.settle_payflow(payment.gateway_reference, outcome)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(settings)
    payment.refresh_from_db()
    if outcome == "accepted":
        assert payment.status == "paid" and len(mail.outbox) == 1
        assert [e["kind"] for e in paypal_sandbox.ledger()] == ["express_checkout"]
    else:
        assert payment.status == "failed" and mail.outbox == []
        assert paypal_sandbox.ledger() == []
        assert PromoCode.objects.get(pk=code.pk).uses == 0


def test_every_reason_paypal_documents_has_plain_words_and_an_unknown_one_is_shown_as_sent():
    from payments.held_reasons import REASONS, describe

    with translation.override("en"):
        assert all(describe(code) == str(text) for code, text in REASONS.items())
        manual = describe("RECEIVING_PREFERENCE_MANDATES_MANUAL_ACTION")
        assert manual.startswith("The merchant must accept this payment by hand")
        assert describe("SOMETHING_NEW") == "PayPal holds the payment (reason: SOMETHING_NEW)."
    with translation.override("fr"):
        assert describe("unilateral").startswith("L’adresse e-mail PayPal du marchand")

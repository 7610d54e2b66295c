"""The recipient's e-mail: its content in the site's language, and at-most-once sending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from promocodes import emails
from promocodes.models import PromoCodeEmail
from tests import french_typography

pytestmark = pytest.mark.django_db


@pytest.fixture
def commerce(site):
    from payments.models import CommerceSettings

    settings = CommerceSettings.for_site(site)
    settings.business_name = "Acme Learning"
    settings.support_info = "help@acme.example"
    settings.save()
    return settings


def test_email_has_business_name_discount_expiry_and_support(site, commerce, make_code):
    code = make_code(
        site,
        "HELLO123",
        recipient_name="Ada",
        recipient_email="ada@example.com",
        discount_type="fixed",
        discount_value=Decimal("15"),
        expires_on=date(2030, 7, 14),
        max_uses=3,
    )
    assert emails.send_code_email(code.pk) == "sent"
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Your promo code from Acme Learning"
    for text in ("Hello Ada", "HELLO123", "$15.00", "14/07/2030", "help@acme.example", "3 times"):
        assert text in message.body, text
    delivery = PromoCodeEmail.objects.get(pk=code.pk)
    assert delivery.state == "sent" and delivery.sent_at and delivery.attempts == 1


def test_email_is_rendered_in_the_sites_language(other_site, make_code, monkeypatch):
    from django.utils import translation

    languages = []
    original = emails.render_to_string

    def spy(template, context):
        languages.append(translation.get_language())
        return original(template, context)

    monkeypatch.setattr(emails, "render_to_string", spy)
    code = make_code(other_site, "BONJOUR1", recipient_email="zoe@example.com", max_uses=None)
    with translation.override("en"):
        emails.send_code_email(code.pk)
        assert translation.get_language() == "en"
    assert languages == ["fr", "fr"]
    [message] = mail.outbox
    assert "BONJOUR1" in message.body and "10\u00a0%" in message.body


def test_email_is_written_in_the_language_chosen_for_the_recipient(site, commerce, make_code):
    code = make_code(site, "SALUT1", recipient_email="zoe@example.com", max_uses=None)
    emails.create_deliveries([code.pk], "fr")
    assert emails.send_code_email(code.pk) == "sent"
    [message] = mail.outbox
    assert message.subject == "Votre code promotionnel de Acme Learning"
    assert "help@acme.example" in message.body and "SALUT1" in message.body
    assert "Remise\u00a0: 10\u00a0%" in message.body
    assert french_typography.faults(message.subject + "\n" + message.body) == []


def test_a_creation_keeps_the_language_of_its_recipients_emails(
    admin_client,
    site,
    commerce,
    valid_create_data,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    from django.urls import reverse

    data = dict(
        valid_create_data, recipient_email="zoe@example.com", email_language="fr", quantity="1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("promocode-create", args=[site.slug, "events"]), data)
    assert PromoCodeEmail.objects.get().language == "fr"
    assert mail.outbox[0].subject.startswith("Votre code promotionnel")


def test_missing_commerce_settings_fall_back_to_the_site_name(site, make_code):
    code = make_code(site, "NOBIZ1", recipient_email="a@example.com")
    emails.send_code_email(code.pk)
    assert "Acme" in mail.outbox[0].subject


def test_a_code_is_never_emailed_twice(site, make_code):
    code = make_code(site, "ONCE1", recipient_email="a@example.com")
    assert emails.send_code_email(code.pk) == "sent"
    assert emails.send_code_email(code.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_claimed_email_is_not_sent_by_another_worker(site, make_code):
    code = make_code(site, "CLAIM1", recipient_email="a@example.com")
    PromoCodeEmail.objects.create(promo_code=code, state="sending")
    assert emails.send_code_email(code.pk) == "sending"
    assert mail.outbox == []


def test_a_failed_send_is_given_back_for_a_retry(site, make_code, monkeypatch):
    code = make_code(site, "RETRY1", recipient_email="a@example.com")

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        emails.send_code_email(code.pk)
    delivery = PromoCodeEmail.objects.get(pk=code.pk)
    assert delivery.state == "pending" and "SMTP down" in delivery.last_error
    monkeypatch.undo()
    assert emails.send_code_email(code.pk) == "sent"
    assert len(mail.outbox) == 1
    assert PromoCodeEmail.objects.get(pk=code.pk).attempts == 2


def test_a_deleted_code_is_not_emailed(site, make_code):
    code = make_code(site, "GONE1", recipient_email="a@example.com", status="deleted")
    assert emails.send_code_email(code.pk) == "failed"
    assert mail.outbox == []


def test_send_task_retries_on_mail_server_errors():
    import smtplib

    from promocodes.tasks import send_code_email

    assert smtplib.SMTPException in send_code_email.autoretry_for
    assert OSError in send_code_email.autoretry_for
    assert send_code_email.retry_backoff

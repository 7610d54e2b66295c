"""PayPal webhooks end to end over real HTTP: the simulator posts signed events to a live
server of the console, which asks the simulator to verify them, stores each once, and a real
Celery worker processes it once (retrying when it cannot take effect yet)."""

from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from payments import readiness, refunds
from payments.models import (
    CommerceSettings,
    ExpressCheckoutAccount,
    Payment,
    Refund,
    WebhookEvent,
)
from tests.celery_worker import celery_worker
from tests.payments.test_payment_page import approve_on_paypal, form_data, page_url

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("transactional_db")]

WEBHOOK_ID = "4JH86294D6297924G"
SIGNATURE_HEADERS = (
    "PAYPAL-TRANSMISSION-ID",
    "PAYPAL-TRANSMISSION-TIME",
    "PAYPAL-TRANSMISSION-SIG",
    "PAYPAL-CERT-URL",
    "PAYPAL-AUTH-ALGO",
)


@pytest.fixture(scope="module")
def worker(paypal_sandbox_server, django_db_setup, django_db_blocker, tmp_path_factory):
    """One real worker for the module, on the test database, PayPal at the simulator, and
    a failed webhook attempt retried after one second."""
    base = paypal_sandbox_server.base_url
    env = {
        "PAYPAL_REST_TEST_URL": base,
        "PAYPAL_REST_LIVE_URL": base,
        "PAYPAL_REST_TEST_CLIENT_ID": "sandbox-platform-client",
        "PAYPAL_REST_TEST_SECRET": "sandbox-platform-secret",
        "PAYPAL_WEBHOOK_ID_TEST": WEBHOOK_ID,
        "WEBHOOK_RETRY_SECONDS": "1",
    }
    tmp_path = tmp_path_factory.mktemp("webhook-worker")
    with django_db_blocker.unblock(), celery_worker(tmp_path, env=env):
        yield tmp_path / "mail"


@pytest.fixture
def listener(live_server, paypal_sandbox, settings):
    """The console's webhook URL, registered with the simulator under the platform's id."""
    settings.PAYPAL_WEBHOOK_ID_TEST = WEBHOOK_ID
    url = live_server.url + reverse("paypal-webhooks")
    paypal_sandbox.configure_webhooks(url, WEBHOOK_ID)
    return url


@pytest.fixture
def ec_session(priced_session, use_express_checkout_us):
    """A priced session of a site taking payments with Express Checkout (US), Test mode."""
    return priced_session


def start_paypal_payment(ec_session, email="ada@example.com") -> tuple[Payment, str]:
    """The attendee chooses PayPal on the payment page; (the payment, PayPal's approval URL)."""
    client = Client()
    data = form_data(client, ec_session, action="pay_paypal", attendee_email=email)
    approval = client.post(page_url(ec_session), data)["Location"]
    return Payment.objects.get(attendee_email=email), approval


def paid_payment(ec_session, email="ada@example.com") -> Payment:
    """A PayPal payment the buyer approved and came back from: paid on the spot."""
    client = Client()
    data = form_data(client, ec_session, action="pay_paypal", attendee_email=email)
    approval = client.post(page_url(ec_session), data)["Location"]
    client.get(approve_on_paypal(approval, "approve"), follow=True)
    payment = Payment.objects.get(attendee_email=email)
    assert payment.status == "paid"
    return payment


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


def event_of(event_type: str, *, status: str | None = None) -> WebhookEvent:
    """The stored event of ``event_type`` once it exists (and is in ``status``, when given)."""

    def found():
        rows = WebhookEvent.objects.filter(event_type=event_type)
        if status:
            rows = rows.filter(status=status)
        return rows.first()

    return wait_for(found, what=f"{event_type} {status or 'stored'}")


def delivery_of(paypal_sandbox, event_type: str) -> dict:
    log = paypal_sandbox.wait_for_deliveries(1)
    return wait_for(
        lambda: (
            next((d for d in paypal_sandbox.deliveries() if d["event_type"] == event_type), None)
            or None
        ),
        what=f"a {event_type} delivery in {len(log)}",
    )


def post(url: str, delivery: dict, *, body: bytes | None = None, **header_changes):
    headers = {name: delivery["headers"][name] for name in SIGNATURE_HEADERS}
    headers.update(header_changes)
    headers["Content-Type"] = "application/json"
    data = delivery["body"].encode() if body is None else body
    return requests.post(url, data=data, headers=headers, timeout=30)


def receipts(mail_dir: Path, email: str) -> int:
    return sum(email in path.read_text() for path in mail_dir.glob("*.log"))


def captures(paypal_sandbox) -> list[dict]:
    return [entry for entry in paypal_sandbox.ledger() if entry["kind"] == "capture"]


# --- Receiving: only what PayPal confirms, stored once ----------------------------------------


def test_an_event_delivered_three_times_at_once_is_stored_and_processed_once(
    worker, paypal_sandbox, listener, ec_session
):
    # PayPal's first delivery fails (the listener is away); the same transmission then comes
    # three times at once, as retries can overlap.
    paypal_sandbox.configure_webhooks("http://127.0.0.1:9/away", WEBHOOK_ID)
    payment, _approval = start_paypal_payment(ec_session)
    paypal_sandbox.approve_order(payment.gateway_order_id)
    delivery = delivery_of(paypal_sandbox, "CHECKOUT.ORDER.APPROVED")
    assert delivery["status"] == 0
    paypal_sandbox.configure_webhooks(listener, WEBHOOK_ID)

    barrier, answers = threading.Barrier(3), []

    def deliver():
        barrier.wait()
        answers.append(post(listener, delivery).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200]
    event = event_of("CHECKOUT.ORDER.APPROVED", status="processed")
    assert WebhookEvent.objects.filter(event_type="CHECKOUT.ORDER.APPROVED").count() == 1
    assert event.event_id == delivery["event_id"] and event.mode == "test"
    assert event.attempts == 1 and event.resource_id == payment.gateway_order_id
    # A later resend by PayPal (a new transmission) is verified, then changes nothing.
    paypal_sandbox.redeliver(delivery["event_id"])
    time.sleep(1)
    event.refresh_from_db()
    assert event.attempts == 1
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(captures(paypal_sandbox)) == 1
    wait_for(lambda: receipts(worker, "ada@example.com") == 1, what="one receipt")


def test_a_forged_or_tampered_event_answers_400_and_changes_nothing(
    paypal_sandbox, listener, ec_session, settings
):
    paypal_sandbox.configure_webhooks("http://127.0.0.1:9/away", WEBHOOK_ID)
    payment, _approval = start_paypal_payment(ec_session)
    paypal_sandbox.approve_order(payment.gateway_order_id)
    delivery = delivery_of(paypal_sandbox, "CHECKOUT.ORDER.APPROVED")
    tampered = json.loads(delivery["body"])
    tampered["resource"]["purchase_units"][0]["amount"]["value"] = "1.00"
    other_event = {**json.loads(delivery["body"]), "id": "WH-FORGED-0000000000001"}
    refused = [
        post(listener, delivery, **{"PAYPAL-TRANSMISSION-SIG": "0" * 64}),
        post(listener, delivery, body=json.dumps(tampered).encode()),
        post(listener, delivery, body=json.dumps(other_event).encode()),
        post(listener, delivery, **{"PAYPAL-TRANSMISSION-ID": ""}),
        post(listener, delivery, body=b"not json"),
        requests.post(listener, data=delivery["body"], timeout=30),  # no signature at all
    ]
    assert [answer.status_code for answer in refused] == [400] * 6
    assert all(answer.content == b"" for answer in refused)
    # Without the platform's webhook id nothing can be verified: refused too.
    settings.PAYPAL_WEBHOOK_ID_TEST = ""
    assert post(listener, delivery).status_code == 400
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert captures(paypal_sandbox) == []


def test_an_oversized_body_is_refused_with_413_before_paypal_is_asked(
    paypal_sandbox, listener, settings
):
    settings.WEBHOOK_MAX_BYTES = 1024
    body = json.dumps({"id": "WH-BIG", "event_type": "X.Y", "pad": "x" * 2000}).encode()
    answer = requests.post(listener, data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert not WebhookEvent.objects.exists()


def test_an_unknown_event_type_is_stored_and_ignored(worker, paypal_sandbox, listener):
    resource = {"dispute_id": "PP-D-4012", "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED"}
    event_id = paypal_sandbox.emit_event("CUSTOMER.DISPUTE.CREATED", resource, "dispute")
    event = event_of("CUSTOMER.DISPUTE.CREATED", status="ignored")
    assert event.event_id == event_id and event.attempts == 1 and event.processed_at
    assert event.resource_type == "dispute" and event.payload["resource"] == resource


# --- Processing: once, retried until it takes effect ----------------------------------------


def test_an_approved_order_whose_buyer_never_came_back_ends_paid_with_receipt(
    worker, paypal_sandbox, listener, ec_session
):
    payment, _approval = start_paypal_payment(ec_session, email="gone@example.com")
    paypal_sandbox.approve_order(payment.gateway_order_id)  # the buyer closes the tab
    approved = event_of("CHECKOUT.ORDER.APPROVED", status="processed")
    completed = event_of("PAYMENT.CAPTURE.COMPLETED", status="processed")
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.gateway_reference
    assert payment.registration.attendee_email == "gone@example.com"
    assert f"payment {payment.pk}: paid" in approved.outcome
    assert completed.resource_id == payment.gateway_reference
    [capture] = captures(paypal_sandbox)
    assert capture["order_id"] == payment.gateway_order_id
    wait_for(lambda: receipts(worker, "gone@example.com") == 1, what="the receipt")


def test_a_processing_failure_is_retried_by_the_task(worker, paypal_sandbox, listener, ec_session):
    payment, _approval = start_paypal_payment(ec_session, email="retry@example.com")
    # PayPal cannot show the order for a while: the event cannot take effect yet.
    paypal_sandbox.set_faults(fail_before=1000, only_matching=f"/{payment.gateway_order_id}?")
    paypal_sandbox.approve_order(payment.gateway_order_id)
    failed = event_of("CHECKOUT.ORDER.APPROVED", status="failed")
    assert "still pending" in failed.error
    payment.refresh_from_db()
    assert payment.status == "pending"
    paypal_sandbox.set_faults()
    event = event_of("CHECKOUT.ORDER.APPROVED", status="processed")
    assert event.attempts >= 2
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(captures(paypal_sandbox)) == 1
    wait_for(lambda: receipts(worker, "retry@example.com") == 1, what="one receipt")


# --- Refunds and reversals PayPal reports -----------------------------------------------------


def test_refunds_and_a_chargeback_paypal_reports_are_recorded_once(
    worker, paypal_sandbox, listener, ec_session, admin_client
):
    from payments.provider_gateways import refund_gateway_for

    payment = paid_payment(ec_session)
    # A refund the merchant makes on PayPal's side, not through the console.
    on_paypal = refund_gateway_for(payment).refund(
        payment.gateway_reference, Decimal("10.00"), "USD", "refund-made-on-paypal-1"
    )
    assert on_paypal.approved
    wait_for(lambda: Refund.objects.filter(source="paypal").exists(), what="the PayPal refund")
    # A refund sent from the console: PayPal's event for it finds it, adds nothing.
    console = refunds.refund_payment(payment, Decimal("5.00"), actor=None)
    assert console.status == "paid"
    wait_for(
        lambda: (
            WebhookEvent.objects.filter(
                event_type="PAYMENT.CAPTURE.REFUNDED", status="processed"
            ).count()
            == 2
        ),
        what="both refund events processed",
    )
    by_source = {r.source: r for r in Refund.objects.filter(payment=payment)}
    assert set(by_source) == {"paypal", "console"} and Refund.objects.count() == 2
    assert by_source["paypal"].gateway_reference == on_paypal.reference
    assert by_source["paypal"].amount == Decimal("10.00")
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("15.00")

    paypal_sandbox.reverse_capture(payment.gateway_reference)
    event_of("PAYMENT.CAPTURE.REVERSED", status="processed")
    payment.refresh_from_db()
    assert payment.status == "reversed" and payment.reversed_amount == Decimal("85.00")
    assert payment.refundable_amount == 0
    with pytest.raises(refunds.RefundRefused):
        refunds.refund_payment(payment, Decimal("1.00"), actor=None)

    report = admin_client.get(
        reverse("transactions", args=[ec_session.site.slug]), {"scope": "test"}
    ).content.decode()
    row = report.split(f'data-payment="{payment.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Reversed" in row and "$85.00" in row and ">Refund<" not in row
    totals = report.split('data-currency="USD"', 1)[1].split("</tr>", 1)[0]
    assert "data-reversed>$85.00" in totals and "data-net>$0.00" in totals
    assert "data-refunded>$15.00" in totals


# --- The merchant's permission ---------------------------------------------------------------


def test_onboarding_completed_is_recorded_even_if_the_admin_never_came_back(
    worker, paypal_sandbox, listener, site, admin_client
):
    admin_client.post(
        reverse("provider-form", args=[site.slug, "events", "express_checkout_us"]),
        {"paypal_email": "m@acme.example", "currency": "USD"},
    )
    page = admin_client.post(
        reverse("provider-grant", args=[site.slug, "events", "express_checkout_us"])
    ).content.decode()
    action_url = re.search(r'href="([^"]+)" rel="noreferrer"', page).group(1).replace("&amp;", "&")
    assert action_url.startswith(paypal_sandbox.base_url)
    consent = requests.get(action_url, timeout=10).text
    grant = re.search(r'<form method="post" action="([^"]+/grant)"', consent).group(1)
    answer = requests.post(urljoin(action_url, grant), allow_redirects=False, timeout=10)
    # The admin closes the tab on PayPal's page: the console's return URL is never visited.
    merchant_id = parse_qs(urlsplit(answer.headers["Location"]).query)["merchantIdInPayPal"][0]
    event_of("MERCHANT.ONBOARDING.COMPLETED", status="processed")
    account = ExpressCheckoutAccount.objects.get(site=site)
    assert account.api_permission_active
    assert account.merchant_id_in_paypal == merchant_id


def test_consent_revoked_blocks_production_and_shows_on_the_provider_page(
    worker, paypal_sandbox, listener, use_express_checkout_us, admin_client
):
    site = use_express_checkout_us
    account = ExpressCheckoutAccount.objects.get(site=site)
    paypal_sandbox.register_merchant(account.paypal_email, account.merchant_id_in_paypal)
    commerce = CommerceSettings.for_site(site)
    assert readiness.production_blockers(commerce) == []
    paypal_sandbox.revoke_consent(account.merchant_id_in_paypal)
    event_of("MERCHANT.PARTNER-CONSENT.REVOKED", status="processed")
    account.refresh_from_db()
    assert account.permission_status == "revoked" and not account.api_permission_active

    form = reverse("provider-form", args=[site.slug, "events", "express_checkout_us"])
    english = admin_client.get(form).content.decode()
    assert "PayPal says the API permission was revoked on" in english
    french = admin_client.get(form, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "PayPal indique que la permission API a été révoquée le" in french

    answer = admin_client.post(
        reverse("ecommerce-mode", args=[site.slug, "events"]), {"mode": "production"}
    )
    assert "PayPal says the API permission was revoked" in answer.content.decode()
    assert CommerceSettings.for_site(site).mode == "test"


# --- Ops ---------------------------------------------------------------------------------------


def test_ops_see_the_events_read_only_in_the_admin(
    worker, paypal_sandbox, listener, django_user_model, settings
):
    resource = {"id": "DSP-77", "reason": "UNAUTHORISED"}
    paypal_sandbox.emit_event("CUSTOMER.DISPUTE.CREATED", resource, "dispute")
    event = event_of("CUSTOMER.DISPUTE.CREATED", status="ignored")
    ops = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw-ops")
    client = Client()
    client.force_login(ops)
    listing = client.get("/ops/payments/webhookevent/")
    assert listing.status_code == 200
    body = listing.content.decode()
    for text in ("CUSTOMER.DISPUTE.CREATED", "DSP-77", "Ignored", "Received at", "Attempts"):
        assert text in body, text
    assert settings.PAYPAL_REST_TEST_SECRET not in body
    detail = client.get(f"/ops/payments/webhookevent/{event.pk}/change/")
    assert detail.status_code == 200 and settings.PAYPAL_REST_TEST_SECRET not in detail.text
    assert 'name="_save"' not in detail.text  # read-only: nothing to save
    assert client.get("/ops/payments/webhookevent/add/").status_code == 403

    from monitoring.metrics import OperationsCollector

    found = {
        (s.name, s.labels.get("event_type"), s.labels.get("status")): s.value
        for family in OperationsCollector().collect()
        for s in family.samples
    }
    assert found[("webex_paypal_webhook_events", "CUSTOMER.DISPUTE.CREATED", "ignored")] == 1

"""One card payment's log trail: the page request, the PayPal call and the receipt task
(in a real worker) share the page's request id and the attempt's PayPal request id, in the
production's JSON lines; no card number, security code or secret is in any of them."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from monitoring.log_filters import ContextFilter, RedactFilter
from payments.checkout import request_id
from payments.gateways.payflow_wire import wire_request_id
from payments.models import Payment
from tests.celery_worker import celery_worker
from tests.payments.test_payment_page import VISA, form_data, page_url
from tests.payments.test_pending_resolution_worker import receipts

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGE_REQUEST_ID = "page-7d1e0c55-pay"


def json_lines_of_this_process() -> tuple[logging.Handler, io.StringIO]:
    """A handler like the production console's: its JSON formatter (from ``LOGGING``) and the
    context and redaction filters, writing to a buffer."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    return handler, buffer


def parsed(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.timeout(60)
def test_a_card_payment_logs_one_request_id_from_the_page_to_paypal_and_the_receipt_task(
    client, priced_session, paypal_sandbox, tmp_path
):
    handler, buffer = json_lines_of_this_process()
    root = logging.getLogger()
    env = {"LOG_FORMAT": "json", "PAYPAL_PAYFLOW_TEST_URL": paypal_sandbox.payflow_url}
    with celery_worker(tmp_path, env=env):
        data = form_data(client, priced_session)
        root.addHandler(handler)
        try:
            response = client.post(
                page_url(priced_session), data, HTTP_X_REQUEST_ID=PAGE_REQUEST_ID
            )
        finally:
            root.removeHandler(handler)
        assert response.status_code == 302
        deadline = time.monotonic() + 30
        while not receipts(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.2)
        worker_text = (tmp_path / "worker.log").read_text()
    payment = Payment.objects.get()
    assert payment.status == "paid"
    on_the_wire = wire_request_id(request_id(payment, "sale"))

    page_lines = parsed(buffer.getvalue())
    [paypal_call] = [line for line in page_lines if line["message"].startswith("Payflow S")]
    assert paypal_call["request_id"] == PAGE_REQUEST_ID
    assert paypal_call["paypal_request_id"] == on_the_wire

    worker_lines = parsed(worker_text)
    [receipt] = [line for line in worker_lines if line["message"].startswith("Receipt sent")]
    assert receipt["request_id"] == PAGE_REQUEST_ID, worker_text[-2000:]
    assert receipt["paypal_request_id"] == on_the_wire
    assert receipt["task_name"] == "payments.tasks.send_receipt"

    everything = buffer.getvalue() + worker_text
    for secret in (
        VISA,
        "CVV2=",
        data["security_code"] + "&",
        "pilot-pass-1",
        "sandbox-platform-secret",
    ):
        assert secret not in everything, secret

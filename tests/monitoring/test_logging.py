"""Request ids from the page to the Celery task, JSON logs in production, nothing secret logged."""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from monitoring import log_context
from monitoring.redaction import PAN_MARK, REDACTED, luhn_valid, redact
from sites.tasks import heartbeat
from tests.celery_worker import celery_worker, task_outcome

ROOT = Path(__file__).resolve().parents[2]


# --- Request ids ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_well_formed_request_id_is_kept_and_echoed():
    response = Client().get("/healthz/", HTTP_X_REQUEST_ID="lb-3f2a9c1e-77")
    assert response["X-Request-ID"] == "lb-3f2a9c1e-77"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given", ["", "short", "has space inside", "x" * 200, "evil\nfake=line", "ünïcode-id-123"]
)
def test_a_malformed_request_id_is_replaced(given):
    response = Client().get("/healthz/", HTTP_X_REQUEST_ID=given)
    answered = response["X-Request-ID"]
    assert answered != given
    assert log_context.WELL_FORMED_REQUEST_ID.fullmatch(answered)


def in_a_fresh_context(check) -> None:
    """Run ``check`` with nothing bound (tests calling services directly bind PayPal ids in
    this thread's context, where no request or task ends the binding)."""
    contextvars.Context().run(check)


def test_the_paypal_request_id_binds_only_well_formed_values():
    def check():
        token = log_context.bind(request_id="req-00000001")
        try:
            log_context.bind_paypal_request_id("f3a1c9e2b7d45")
            log_context.bind_paypal_request_id("bad value\nwith=newline")
            assert log_context.bound_fields() == {
                "request_id": "req-00000001",
                "paypal_request_id": "f3a1c9e2b7d45",
            }
        finally:
            log_context.unbind(token)
        assert log_context.bound_fields() == {}

    in_a_fresh_context(check)


def test_a_paypal_request_id_bound_in_a_scope_ends_with_it():
    def check():
        with log_context.scope(request_id="beat-00000001"):
            log_context.bind_paypal_request_id("payment-one-collect")
            assert log_context.current_paypal_request_id() == "payment-one-collect"
        assert log_context.bound_fields() == {}

    in_a_fresh_context(check)


@pytest.mark.worker
@pytest.mark.timeout(120)
def test_a_task_logs_with_the_request_id_that_enqueued_it(tmp_path, transactional_db):
    request_id = "page-request-7c4e1a9b"
    with celery_worker(tmp_path):
        token = log_context.bind(request_id=request_id)
        try:
            in_request = heartbeat.delay()
        finally:
            log_context.unbind(token)
        stamp = task_outcome(tmp_path, in_request)
        unrelated = task_outcome(tmp_path, heartbeat.delay())  # enqueued outside any request
    lines = (tmp_path / "worker.log").read_text().splitlines()
    [line] = [line for line in lines if f"heartbeat {stamp}" in line]
    assert f"[{request_id}]" in line, "\n".join(lines[-30:])
    [line] = [line for line in lines if f"heartbeat {unrelated}" in line]
    assert "[-]" in line


# --- Redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pan",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "378282246310005",
        "6011000990139424",
        "4000056655665556",
        "4222222222222",
    ],
)
def test_card_numbers_are_redacted(pan):
    assert luhn_valid(pan.replace(" ", "").replace("-", ""))
    text = redact(f"charge ACCT={pan}&AMT=10.00 for {pan}.")
    assert pan not in text
    assert text.count(PAN_MARK) == 2


@pytest.mark.parametrize(
    "kept",
    [
        "order 4111111111111112 (not Luhn)",
        "id 123456789012",
        "ts 20250101123045123456789",
        "amount 1000.00 on 2025-01-31",
    ],
)
def test_other_numbers_are_kept(kept):
    assert redact(kept) == kept


@pytest.mark.parametrize(
    "text",
    [
        "CVV2=123&ACCT=x",
        "{'cvv': '987'}",
        '{"security_code": "4321"}',
        "cvc: 555",
        "PWD=pilot-pass-1&USER=acme",
        "client_secret=abcDEF123",
    ],
)
def test_security_codes_and_passwords_are_redacted(text):
    redacted = redact(text)
    assert REDACTED in redacted
    for value in ("123", "987", "4321", "555", "pilot-pass-1", "abcDEF123"):
        assert value not in redacted.replace("CVV2", "").replace(REDACTED, "")


LOG_IN_PRODUCTION = """
import json, logging, django
django.setup()
from django.conf import settings
from django.test import Client
log = logging.getLogger("payments.checkout")
response = Client(HTTP_HOST="localhost").get(
    "/no-such-page/", secure=True, HTTP_X_REQUEST_ID="prod-request-0042"
)
from monitoring import log_context
token = log_context.bind(request_id="prod-request-0042")
log_context.bind_paypal_request_id("9f8e7d6c5b4a3")
log.info("card %s cvv2=%s", "4111 1111 1111 1111", "737")
log.warning("calling PayPal with %s", {"cvv": "737", "PWD": "pilot-pass-1"},
            extra={"nvp": "ACCT=5555555555554444&CVV2=737"})
log.error("secret in text: " + settings.SECRET_KEY + " and " + settings.PAYPAL_REST_LIVE_SECRET)
try:
    raise ValueError("declined card 4000056655665556")
except ValueError:
    log.exception("gateway error")
log_context.unbind(token)
"""


def test_production_logs_are_json_with_the_request_id_and_no_secret(tmp_path):
    from cryptography.fernet import Fernet

    secret_key = "prod-like-" + "Qv!2#Lm9$Zp4^Rt8&Wy3*Nb6(Hd1)Fg5Kj0x7" * 2
    live_secret = "live-paypal-secret-b41c9"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LOG_FORMAT"}}
    env.update(
        DJANGO_SETTINGS_MODULE="webexcommerce.settings.production",
        SECRET_KEY=secret_key,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PAYPAL_REST_LIVE_SECRET=live_secret,
        VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", LOG_IN_PRODUCTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output = result.stderr
    for secret in (
        "4111",
        "5555555555554444",
        "4000056655665556",
        "737",
        "pilot-pass-1",
        secret_key,
        live_secret,
    ):
        assert secret not in output, secret
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message", "request_id"} <= set(records[0])
    not_found = next(r for r in records if r["logger"] == "django.request")
    assert not_found["request_id"] == "prod-request-0042"
    ours = [r for r in records if r["logger"] == "payments.checkout"]
    assert len(ours) == 4
    assert all(r["request_id"] == "prod-request-0042" for r in ours)
    assert all(r["paypal_request_id"] == "9f8e7d6c5b4a3" for r in ours)
    assert PAN_MARK in ours[0]["message"] and REDACTED in ours[0]["message"]
    assert "CVV2=" + REDACTED in ours[1]["nvp"]
    assert "ValueError" in ours[3]["exc_info"] and PAN_MARK in ours[3]["exc_info"]

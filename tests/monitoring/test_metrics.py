"""/metrics: who may read it, the request histogram, and the gauges read at scrape time."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from monitoring.metrics import DATABASE_GAUGES, OperationsCollector
from tests import factories
from tests.celery_worker import database_url
from tests.local_servers import free_port, wait_until_answering
from webexcommerce.celery import app

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a Prometheus text exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client=None, **extra) -> dict:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


# --- Who may read it ------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_off_answers_404(settings):
    settings.METRICS_ENABLED = False
    assert Client().get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_refuse_an_address_outside_the_allowed_networks(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert Client(REMOTE_ADDR="10.2.0.9").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="10.1.4.2").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_metrics_with_a_token_require_it(settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_BEARER_TOKEN = "scrape-token-5d1c9e"
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-5d1c9e")
    assert ok.status_code == 200


# --- Requests by view -----------------------------------------------------------------------


@pytest.mark.django_db
def test_request_latency_and_answers_are_counted_by_view():
    key = ("webex_http_request_duration_seconds_count", (("method", "GET"), ("view", "healthz")))
    before = scrape().get(key, 0)
    client = Client()
    for _ in range(3):
        client.get("/healthz/")
    client.get("/no-such-page/")
    after = scrape()
    assert after[key] == before + 3
    not_found = (
        "webex_http_responses_total",
        (("method", "GET"), ("status", "404"), ("view", "unmatched")),
    )
    assert after[not_found] >= 1


# --- Gauges read at scrape time -------------------------------------------------------------


def make_payment(session, status, *, minutes_ago=0, **fields):
    from payments.models import Payment

    payment = factories.make_payment(session, status, **fields)
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return payment


@pytest.mark.django_db
def test_business_gauges_read_the_database_in_one_query_each(
    priced_session, admin, django_assert_num_queries
):
    from payments.models import Refund
    from promocodes.models import CreationBatch

    make_payment(priced_session, "paid")
    make_payment(priced_session, "paid")
    make_payment(priced_session, "declined")
    make_payment(priced_session, "pending", provider="express_checkout_us", minutes_ago=30)
    paid = make_payment(priced_session, "paid", minutes_ago=5)
    refund = Refund.objects.create(payment=paid, amount=Decimal("10.00"), status="pending")
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    CreationBatch.objects.create(
        site=priced_session.site,
        service="events",
        total=100,
        done=40,
        state="running",
        created_at=timezone.now() - timedelta(minutes=3),
    )
    CreationBatch.objects.create(
        site=priced_session.site, service="events", total=5, done=5, state="done"
    )
    collector = OperationsCollector()
    with django_assert_num_queries(len(DATABASE_GAUGES)):
        families = list(collector.collect())
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples
    }

    def payments(provider, status):
        labels = {"provider": provider, "method": "card", "is_test": "True", "status": status}
        return found[("webex_payments", tuple(sorted(labels.items())))]

    assert payments("payflow_pro", "paid") == 3
    assert payments("payflow_pro", "declined") == 1
    assert payments("express_checkout_us", "pending") == 1
    assert 29 * 60 < found[("webex_payments_open_oldest_age_seconds", ())] < 31 * 60
    assert found[("webex_refunds", (("status", "pending"),))] == 1
    assert 9 * 60 < found[("webex_refunds_pending_oldest_age_seconds", ())] < 11 * 60
    assert found[("webex_promocode_batches", (("state", "running"),))] == 1
    assert found[("webex_promocode_batches", (("state", "done"),))] == 1
    assert found[("webex_promocode_batches_codes_to_create", ())] == 100
    assert found[("webex_promocode_batches_codes_created", ())] == 40
    assert 2 * 60 < found[("webex_promocode_batches_unfinished_oldest_age_seconds", ())] < 4 * 60


@pytest.mark.django_db
def test_nothing_open_reads_as_zero_age():
    found = scrape()
    assert found[("webex_payments_open_oldest_age_seconds", ())] == 0
    assert found[("webex_refunds_pending_oldest_age_seconds", ())] == 0


@app.task(name="tests.monitoring.always_fails")
def always_fails():
    raise RuntimeError("this task always fails")


@pytest.mark.django_db
def test_task_failures_are_counted_by_task(eager_celery):
    key = ("webex_celery_task_failures_total", (("task", "tests.monitoring.always_fails"),))
    before = scrape().get(key, 0)
    for _ in range(2):
        always_fails.apply()
    assert scrape()[key] == before + 2


@pytest.mark.django_db
def test_queue_length_is_asked_of_the_broker():
    queue = f"metrics-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        assert scrape()[("webex_celery_queue_length", (("queue", queue),))] == 0
        for _ in range(3):
            app.send_task("sites.tasks.heartbeat", queue=queue)
        assert scrape()[("webex_celery_queue_length", (("queue", queue),))] == 3
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
        app.conf.task_default_queue = previous


# --- Several gunicorn workers ---------------------------------------------------------------


@pytest.mark.timeout(240)
def test_gunicorn_workers_share_their_samples(tmp_path, transactional_db):
    """Three workers in multiprocess mode: any scrape counts the requests of all of them."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webexcommerce.settings.test",
        "TEST_DATABASE_URL": database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "VAR_DIR": str(tmp_path),
    }
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "stale_counter_1.db").write_bytes(b"old run")
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "webexcommerce.wsgi",
            "--config",
            "python:webexcommerce.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A worker still importing Django under load answers late, not never: a short read
        # time-out would raise (and the late request would still count).
        wait_until_answering(base + "/healthz/", server, tmp_path / "gunicorn.log", read_timeout=60)
        for _ in range(29):
            requests.get(base + "/healthz/", timeout=60)
        counts = set()
        for _ in range(6):
            found = samples(requests.get(base + "/metrics", timeout=10).text)
            key = (
                "webex_http_request_duration_seconds_count",
                (("method", "GET"), ("view", "healthz")),
            )
            counts.add(found[key])
        assert counts == {30}, counts
        assert not (tmp_path / "prometheus" / "stale_counter_1.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()

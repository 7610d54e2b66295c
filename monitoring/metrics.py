"""Prometheus metrics of the console (``prometheus-client``), served by ``views.MetricsView``.

Two kinds:

* measured in the process: request latency and answers by view (``RequestMetricsMiddleware``).
  Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (settings
  ``METRICS_MULTIPROCESS_DIR``): each worker writes its samples there and a scrape of any
  worker reads them all (``webexcommerce/gunicorn_conf.py`` empties the directory at start);
* read at scrape time (``OperationsCollector``): the business gauges (one set-based query
  per entry of ``DATABASE_GAUGES``), Celery task failures (counted in the shared cache by
  every worker) and the length of the Celery queues (asked of the broker). They are the same
  whichever process answers, so they are never kept per process.

A new business gauge is one entry in ``DATABASE_GAUGES`` (the PayPal webhook events by type
and processing state, for instance, are one ``CountBy``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

UNMATCHED_VIEW = "unmatched"
TASK_FAILURES_KEY = "monitoring:task-failures:{}"

REQUEST_LATENCY = Histogram(
    "webex_http_request_duration_seconds",
    "Time to answer a request, by view (URL pattern name) and method.",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RESPONSES = Counter(
    "webex_http_responses",
    "Answers given, by view (URL pattern name), method and status code.",
    ["view", "method", "status"],
)


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(view, method).observe(seconds)
    RESPONSES.labels(view, method, str(status)).inc()


def count_task_failure(task_name: str) -> None:
    """Add one failure of ``task_name`` to the count every process can read (the cache)."""
    key = TASK_FAILURES_KEY.format(task_name)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


# --- Business gauges read from the database at scrape time ----------------------------------


@dataclass(frozen=True)
class CountBy:
    """Rows of a queryset counted by some of their fields: one GROUP BY query."""

    name: str
    documentation: str
    queryset: Callable[[], QuerySet]
    labels: tuple[str, ...]

    def collect(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(self.name, self.documentation, labels=list(self.labels))
        rows = self.queryset().order_by().values(*self.labels).annotate(rows=Count("pk"))
        for row in rows:
            family.add_metric([str(row[label]) for label in self.labels], row["rows"])
        return family


@dataclass(frozen=True)
class Totals:
    """Gauges of one aggregate query: ``{metric name: (help, aggregate)}``.

    An aggregate that gives a date and time is exposed as its age in seconds (0 when none).
    """

    queryset: Callable[[], QuerySet]
    gauges: dict[str, tuple[str, object]]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        values = (
            self.queryset()
            .order_by()
            .aggregate(**{name: aggregate for name, (_help, aggregate) in self.gauges.items()})
        )
        now = timezone.now()
        for name, (documentation, _aggregate) in self.gauges.items():
            value = values[name]
            if hasattr(value, "tzinfo"):
                value = max(0.0, (now - value).total_seconds())
            yield GaugeMetricFamily(name, documentation, value=float(value or 0))


def _payments():
    from payments.models import Payment

    return Payment.objects.all()


def _open_payments():
    from payments.models import OPEN_STATUSES, Payment

    return Payment.objects.filter(status__in=OPEN_STATUSES)


def _pending_refunds():
    from payments.models import PaymentStatus, Refund

    return Refund.objects.filter(status=PaymentStatus.PENDING)


def _refunds():
    from payments.models import Refund

    return Refund.objects.all()


def _webhook_events():
    from payments.models import WebhookEvent

    return WebhookEvent.objects.all()


def _batches():
    from promocodes.models import CreationBatch

    return CreationBatch.objects.all()


def _unfinished_batches():
    from promocodes.models import CreationBatch

    return CreationBatch.objects.filter(
        state__in=[CreationBatch.State.PENDING, CreationBatch.State.RUNNING]
    )


def _unsent_emails():
    from promocodes.models import PromoCodeEmail

    return PromoCodeEmail.objects.exclude(state=PromoCodeEmail.State.SENT)


DATABASE_GAUGES: list[CountBy | Totals] = [
    CountBy(
        "webex_payments",
        "Payments by provider, method, test or live, and status (outcome).",
        _payments,
        ("provider", "method", "is_test", "status"),
    ),
    Totals(
        _open_payments,
        {
            "webex_payments_open_oldest_age_seconds": (
                "Age of the oldest payment still created or pending (0: none).",
                Min("created_at"),
            ),
        },
    ),
    CountBy("webex_refunds", "Refunds by status.", _refunds, ("status",)),
    Totals(
        _pending_refunds,
        {
            "webex_refunds_pending_oldest_age_seconds": (
                "Age of the oldest refund still pending (0: none).",
                Min("created_at"),
            ),
        },
    ),
    CountBy(
        "webex_paypal_webhook_events",
        "PayPal webhook events received, by type and processing state.",
        _webhook_events,
        ("event_type", "status"),
    ),
    CountBy("webex_promocode_batches", "Promo code creations by state.", _batches, ("state",)),
    Totals(
        _unfinished_batches,
        {
            "webex_promocode_batches_codes_to_create": (
                "Codes still to create by the unfinished creations.",
                Sum("total"),
            ),
            "webex_promocode_batches_codes_created": (
                "Codes already created by the unfinished creations.",
                Sum("done"),
            ),
            "webex_promocode_batches_unfinished_oldest_age_seconds": (
                "Age of the oldest unfinished creation (0: none).",
                Min("created_at"),
            ),
        },
    ),
    CountBy(
        "webex_promocode_emails_unsent",
        "Promo code e-mails not sent yet, by state.",
        _unsent_emails,
        ("state",),
    ),
]


def _task_failures() -> CounterMetricFamily:
    from webexcommerce.celery import app

    names = sorted(name for name in app.tasks if not name.startswith("celery."))
    counts = cache.get_many([TASK_FAILURES_KEY.format(name) for name in names])
    family = CounterMetricFamily(
        "webex_celery_task_failures",
        "Celery tasks that ended in failure, by task.",
        labels=["task"],
    )
    for name in names:
        family.add_metric([name], counts.get(TASK_FAILURES_KEY.format(name), 0))
    return family


def celery_queue_names() -> list[str]:
    from webexcommerce.celery import app

    queues = app.conf.task_queues
    return sorted({q.name for q in queues} if queues else {app.conf.task_default_queue})


def _queue_lengths() -> GaugeMetricFamily | None:
    """Messages waiting in each Celery queue, asked of the broker; None when unreachable."""
    from kombu.exceptions import ChannelError

    from webexcommerce.celery import app

    family = GaugeMetricFamily(
        "webex_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
    )
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            channel = conn.default_channel
            for queue in celery_queue_names():
                try:
                    waiting = channel.queue_declare(queue=queue, passive=True).message_count
                except ChannelError:  # never declared: nothing ever waited there
                    waiting = 0
                family.add_metric([queue], waiting)
    except Exception:  # noqa: BLE001 - a scrape must answer even when the broker is down
        logger.warning("Celery queue length unavailable: broker unreachable")
        return None
    return family


class OperationsCollector:
    """Gauges read at scrape time: the database, the task failure counts, the queues."""

    def collect(self):
        for entry in DATABASE_GAUGES:
            result = entry.collect()
            yield from (result if isinstance(result, Iterator) else [result])
        yield _task_failures()
        queues = _queue_lengths()
        if queues is not None:
            yield queues


class _ThisProcess:
    """The default registry's metrics (this process alone), for single-process servers."""

    def collect(self):
        return REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """What one scrape exposes: process metrics (all gunicorn workers when multiprocess) and
    the operations gauges, gathered once."""
    registry = CollectorRegistry(auto_describe=False)
    if settings.METRICS_MULTIPROCESS_DIR:
        multiprocess.MultiProcessCollector(registry, path=settings.METRICS_MULTIPROCESS_DIR)
    else:
        registry.register(_ThisProcess())
    registry.register(OperationsCollector())
    return registry

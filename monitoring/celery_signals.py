"""Celery signal receivers: request id hand-over, the beat stamp and task failure counts.

* publishing a task (web, worker or beat): the request id and PayPal request id bound now
  travel in the message headers; publishing the heartbeat records that beat is alive
  (``BEAT_STAMP_KEY``);
* running a task (worker): the request id and PayPal request id of whoever enqueued it, the
  task id and name are bound to the log context until the task ends;
* a task failing: ``metrics.count_task_failure``.
"""

from __future__ import annotations

import contextlib

from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun
from django.core.cache import cache
from django.utils import timezone

from sites.tasks import HEARTBEAT_TASK

from . import log_context, metrics

REQUEST_ID_TASK_HEADER = "webex_request_id"
PAYPAL_REQUEST_ID_TASK_HEADER = "webex_paypal_request_id"
BEAT_STAMP_KEY = "monitoring:beat-published-heartbeat"
_task_tokens: dict[str, object] = {}


@before_task_publish.connect(dispatch_uid="monitoring.publish")
def on_publish(sender=None, headers=None, **_kwargs) -> None:
    if headers is not None:
        for header, value in (
            (REQUEST_ID_TASK_HEADER, log_context.current_request_id()),
            (PAYPAL_REQUEST_ID_TASK_HEADER, log_context.current_paypal_request_id()),
        ):
            if value:
                headers[header] = value
    if sender == HEARTBEAT_TASK:
        cache.set(BEAT_STAMP_KEY, timezone.now().isoformat(), timeout=None)


def header_of(task, header: str) -> str | None:
    """A header carried by the message of the task running now, if any."""
    request = task.request
    value = getattr(request, header, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(header)
    return value


def request_id_of(task) -> str | None:
    """The request id carried by the message of the task running now, if any."""
    return header_of(task, REQUEST_ID_TASK_HEADER)


@task_prerun.connect(dispatch_uid="monitoring.prerun")
def on_task_start(task_id=None, task=None, **_kwargs) -> None:
    # An eager task (run inside a request) keeps the request's id.
    request_id = request_id_of(task) or log_context.current_request_id()
    fields = {"task_id": task_id or "", "task_name": task.name}
    if request_id:
        fields["request_id"] = log_context.request_id_from(request_id)
    _task_tokens[task_id] = log_context.bind(**fields)
    log_context.bind_paypal_request_id(header_of(task, PAYPAL_REQUEST_ID_TASK_HEADER))


@task_postrun.connect(dispatch_uid="monitoring.postrun")
def on_task_end(task_id=None, **_kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        # Bound in another context (ValueError): nothing of ours to undo here.
        with contextlib.suppress(ValueError):
            log_context.unbind(token)


@task_failure.connect(dispatch_uid="monitoring.failure")
def on_task_failure(sender=None, **_kwargs) -> None:
    metrics.count_task_failure(getattr(sender, "name", "unknown"))

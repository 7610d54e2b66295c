"""In-memory state of the simulator, shared by every protocol module of one server.

One ``SandboxState`` lives as long as the server: transactions, tokens, orders, idempotency
records, the fault switches and the simulator's clock. Every access goes through ``lock`` so
that a threaded server can take concurrent requests; handlers hold it while they read and
write one flow step.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Behaviour:
    """How PayPal answers one request, when it is not the plain success.

    ``capture_pending_reason``: Orders capture answers ``PENDING`` with this
    ``status_details.reason``. ``fraud_review``: Payflow card sales and authorizations answer
    RESULT 126 (authorized, under fraud review). ``pending_reason``: Payflow Express Checkout
    ``ACTION=D`` answers this ``PENDINGREASON`` (``echeck``, ``multicurrency``…).
    ``approve_without_return``: the buyer approves an Orders checkout but never comes back to
    the return URL (the page says "you can close this window").
    """

    capture_pending_reason: str = ""
    fraud_review: bool = False
    pending_reason: str = ""
    approve_without_return: bool = False


@dataclass
class Faults(Behaviour):
    """Switches for reliability tests, set through ``/_sandbox/faults``.

    Counters apply to the next ``n`` matching requests, then stop: ``fail_before`` answers
    HTTP 500 without running the request (nothing happens); ``fail_after_commit`` runs it
    (the effect is committed) and answers 500 instead of its answer; ``drop_after_commit``
    runs it and shuts the socket down with no HTTP answer at all. ``delay_seconds`` holds
    every matching answer back this long (a client with a shorter time-out gives up although
    the transaction happened). The ``Behaviour`` switches stay on for every matching request
    until changed or reset. ``only_matching``: when not empty, every switch applies only to
    requests whose path, query string or body contains this text (e.g. ``ACTION=D`` for the
    collection step of a multi-call flow, or an order id).
    """

    delay_seconds: float = 0.0
    drop_after_commit: int = 0
    fail_before: int = 0
    fail_after_commit: int = 0
    only_matching: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        """Faults from a control request's JSON; absent keys take their default."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name not in data:
                continue
            kind = type(spec.default)
            values[spec.name] = (
                bool(data[spec.name]) if kind is bool else kind(data[spec.name] or kind())
            )
        return cls(**values)

    def active(self) -> bool:
        return self != Faults(only_matching=self.only_matching)

    def applies_to(self, request_text: bytes) -> bool:
        return not self.only_matching or self.only_matching.encode() in request_text

    def behaviour(self) -> Behaviour:
        return Behaviour(**{spec.name: getattr(self, spec.name) for spec in fields(Behaviour)})

    def public(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in fields(self)}


@dataclass
class SandboxState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    faults: Faults = field(default_factory=Faults)
    # Each protocol module keeps its own tables here, keyed by its own name.
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Append-only record of every money-moving operation: the tests' ground truth.
    ledger: list[dict[str, Any]] = field(default_factory=list)
    # Seconds added to the wall clock: tests move the simulator into the future.
    clock_offset: float = 0.0

    def table(self, name: str) -> dict[str, Any]:
        with self.lock:
            return self.tables.setdefault(name, {})

    def now(self) -> float:
        """The simulator's clock (epoch seconds): what every expiry is measured against."""
        return time.time() + self.clock_offset

    def reset(self) -> None:
        with self.lock:
            self.tables.clear()
            self.ledger.clear()
            self.faults = Faults()
            self.clock_offset = 0.0


BEHAVIOUR_KEY = "sandbox.behaviour"


def behaviour_of(request: Any) -> Behaviour:
    """The ``Behaviour`` switches that apply to this request (set by the server)."""
    return request.environ.get(BEHAVIOUR_KEY) or Behaviour()

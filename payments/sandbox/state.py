"""In-memory state of the simulator, shared by every protocol module of one server.

One ``SandboxState`` lives as long as the server: transactions, tokens, orders, idempotency
records and the fault switches. Every access goes through ``lock`` so that a threaded server
can take concurrent requests; handlers hold it while they read and write one flow step.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    """Switches for reliability tests, applied to protocol routes after the effect commits.

    ``delay_seconds``: hold every answer back this long (a client with a shorter time-out
    gives up although the transaction happened). ``drop_after_commit``: for the next ``n``
    requests, commit the effect, then shut the socket down with no HTTP answer at all
    (0 = off). Both stay until changed or reset. ``only_matching``: when not empty, the
    switches apply only to requests whose path, query string or body contains this text
    (e.g. ``ACTION=D`` to slow down the collection step of a multi-call flow).
    """

    delay_seconds: float = 0.0
    drop_after_commit: int = 0
    only_matching: str = ""

    def applies_to(self, request_text: bytes) -> bool:
        return not self.only_matching or self.only_matching.encode() in request_text


@dataclass
class SandboxState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    faults: Faults = field(default_factory=Faults)
    # Each protocol module keeps its own tables here, keyed by its own name.
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Append-only record of every money-moving operation: the tests' ground truth.
    ledger: list[dict[str, Any]] = field(default_factory=list)

    def table(self, name: str) -> dict[str, Any]:
        with self.lock:
            return self.tables.setdefault(name, {})

    def reset(self) -> None:
        with self.lock:
            self.tables.clear()
            self.ledger.clear()
            self.faults = Faults()

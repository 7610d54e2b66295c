"""A Redis server of a test's own, on a free port, that the test may stop and start again.

The shared Redis on 6379 serves every test run on the machine: a fault test never restarts
it. ``dedicated_redis`` starts ``redis-server`` (no persistence, loopback only) and yields a
``RedisServer``; ``use_redis_for_celery`` points this process's Celery app at it (the broker
connections are pooled: the pools are dropped on the way in and out).
"""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from tests.local_servers import free_port


class RedisServer:
    """One ``redis-server`` process; ``stop`` is ``SHUTDOWN NOSAVE``, ``start`` the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.port), *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
        )

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while self._cli("PING").stdout.strip() != "PONG":
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """``SHUTDOWN NOSAVE``: everything in it is gone, as after a crash."""
        if self.process is None or self.process.poll() is not None:
            return
        self._cli("SHUTDOWN", "NOSAVE")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def dedicated_redis(folder: Path):
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _drop_broker_pools(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def use_redis_for_celery(url: str):
    """This process's Celery app publishes to ``url`` (broker and results) inside the block."""
    from webexcommerce.celery import app

    previous = (app.conf.broker_url, app.conf.result_backend)
    app.conf.update(broker_url=url, result_backend=url)
    _drop_broker_pools(app)
    try:
        yield app
    finally:
        app.conf.update(broker_url=previous[0], result_backend=previous[1])
        _drop_broker_pools(app)

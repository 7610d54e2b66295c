"""Servers a test starts on this machine's loopback: a free port, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(
    url: str,
    server: subprocess.Popen,
    log_path: Path,
    *,
    seconds: float = 60,
    read_timeout: float = 2,
) -> None:
    """Return once ``url`` answers; raise with the server's log when it exits or ``seconds``
    pass first. Only a refused connection is retried: a request that reached the server (even
    slowly, up to ``read_timeout``) counts as an answer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=read_timeout)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(log_path.read_text()) from None
            time.sleep(0.3)

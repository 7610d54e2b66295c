"""The simulator's WSGI application and a threaded server to run it.

Routes come from the protocol modules; each module exposes ``routes(state)`` returning
werkzeug ``Rule`` objects whose endpoints are callables ``(request, **url_values) -> Response``.
Control routes under ``/_sandbox/`` let tests inspect the ledger and set fault switches.

Faults apply to every matched protocol route (never to ``/_sandbox/`` control routes nor to
unmatched paths such as a browser's ``/favicon.ico``). They act *after* the handler has
committed its effect: ``delay_seconds`` holds the answer back (a client with a shorter
time-out gives up while the transaction exists), ``drop_after_commit`` shuts the socket down
with no HTTP answer at all, once per pending count. ``only_matching`` narrows both to requests
whose path, query or body contains a given text.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .state import Faults, SandboxState

Handler = Callable[..., Response]


class DropConnection(ConnectionError):
    """Raised after a request's effect is committed, to close the socket without an answer.

    A ``ConnectionError`` so that werkzeug's server treats it as a dropped connection: no
    500 page is written and nothing is logged as an application error.
    """


def _control_routes(state: SandboxState) -> list[Rule]:
    def ledger(request: Request) -> Response:
        with state.lock:
            body = json.dumps(state.ledger)
        return Response(body, mimetype="application/json")

    def faults(request: Request) -> Response:
        if request.method == "POST":
            data = request.get_json(force=True, silent=True) or {}
            with state.lock:
                state.faults = Faults(
                    delay_seconds=float(data.get("delay_seconds", 0)),
                    drop_after_commit=int(data.get("drop_after_commit", 0)),
                    only_matching=str(data.get("only_matching", "")),
                )
        with state.lock:
            body = json.dumps(state.faults.__dict__)
        return Response(body, mimetype="application/json")

    def reset(request: Request) -> Response:
        state.reset()
        return Response("{}", mimetype="application/json")

    return [
        Rule("/_sandbox/ledger", endpoint=ledger, methods=["GET"]),
        Rule("/_sandbox/faults", endpoint=faults, methods=["GET", "POST"]),
        Rule("/_sandbox/reset", endpoint=reset, methods=["POST"]),
    ]


def protocol_modules() -> Iterable:
    """The protocol modules whose routes the server serves (imported lazily)."""
    from . import payflow, rest  # noqa: PLC0415

    return (payflow, rest)


class SandboxApp:
    """WSGI application dispatching to the protocol handlers, with fault injection."""

    def __init__(self, state: SandboxState | None = None) -> None:
        self.state = state or SandboxState()
        rules = _control_routes(self.state)
        for module in protocol_modules():
            rules.extend(module.routes(self.state))
        self.url_map = Map(rules)

    def __call__(self, environ, start_response):
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            handler, values = adapter.match()
        except HTTPException as exc:
            return exc.get_response(environ)(environ, start_response)
        is_control = request.path.startswith("/_sandbox/")
        delay, drop = (0.0, False) if is_control else self._claim_faults(request)
        try:
            response = handler(request, **values)
        except HTTPException as exc:
            response = exc.get_response(environ)
        # The effect is committed by now: a slow or dropped answer cannot undo it, exactly
        # the situation a client must resolve by inquiry/lookup with the same request id.
        if delay:
            time.sleep(delay)
        if drop:
            self._drop_connection(environ)
        return response(environ, start_response)

    def _claim_faults(self, request: Request) -> tuple[float, bool]:
        """The delay for this request, and whether it takes one of the pending drops."""
        with self.state.lock:
            faults = self.state.faults
            if not (faults.delay_seconds or faults.drop_after_commit):
                return 0.0, False
        # Cached by werkzeug: the handler reads the same body (and form) afterwards.
        text = request.full_path.encode() + b"\n" + request.get_data(cache=True)
        with self.state.lock:
            faults = self.state.faults
            if not faults.applies_to(text):
                return 0.0, False
            drop = faults.drop_after_commit > 0
            if drop:
                faults.drop_after_commit -= 1
            return faults.delay_seconds, drop

    @staticmethod
    def _drop_connection(environ) -> None:
        """Close the client's socket with no HTTP answer at all (not even a 500)."""
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            # An OSError means the client is already gone: nothing left to drop.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise DropConnection


class SandboxServer:
    """A threaded HTTP server running ``SandboxApp`` in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = SandboxApp()
        self._server = make_server(host, port, self.app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

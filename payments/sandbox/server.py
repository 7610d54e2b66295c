"""The simulator's WSGI application and a threaded server to run it.

Routes come from the protocol modules; each module exposes ``routes(state)`` returning
werkzeug ``Rule`` objects whose endpoints are callables ``(request, **url_values) -> Response``.
Control routes under ``/_sandbox/`` let tests inspect the ledger and set fault switches.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .state import Faults, SandboxState

Handler = Callable[..., Response]


class DropConnection(Exception):
    """Raised after a request's effect is committed, to close the socket without an answer."""


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
            is_control = request.path.startswith("/_sandbox/")
            delay = 0.0 if is_control else self.state.faults.delay_seconds
            if delay:
                time.sleep(delay)
            response = handler(request, **values)
            if not is_control:
                with self.state.lock:
                    drop = self.state.faults.drop_after_commit > 0
                    if drop:
                        self.state.faults.drop_after_commit -= 1
                if drop:
                    raise DropConnection
        except NotFound as exc:
            response = exc.get_response(environ)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)


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

"""The simulator's WSGI application and a threaded server to run it.

Routes come from the protocol modules; each module exposes ``routes(state)`` returning
werkzeug ``Rule`` objects whose endpoints are callables ``(request, **url_values) -> Response``.
Control routes under ``/_sandbox/`` (``control`` and the modules' own) let tests inspect the
ledger and set fault switches.

Faults (``state.Faults``) apply to every matched protocol route whose path, query or body
holds ``only_matching`` (never to ``/_sandbox/`` control routes nor to unmatched paths such
as a browser's ``/favicon.ico``). ``fail_before`` answers 500 without running the handler;
the others act *after* the handler has committed its effect: ``fail_after_commit`` replaces
its answer with a 500, ``delay_seconds`` holds the answer back, ``drop_after_commit`` shuts the
socket down with no HTTP answer at all. A 500 on a REST path is PayPal's JSON
``INTERNAL_SERVER_ERROR``; on Payflow's ``/`` a bare ``500 Internal Server Error``. The
``Behaviour`` switches are handed to the handler (``state.behaviour_of(request)``).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .rest_errors import ApiError
from .state import BEHAVIOUR_KEY, Behaviour, SandboxState


class DropConnection(ConnectionError):
    """Raised after a request's effect is committed, to close the socket without an answer.

    A ``ConnectionError`` so that werkzeug's server treats it as a dropped connection: no
    500 page is written and nothing is logged as an application error.
    """


@dataclass
class Claim:
    """What the fault switches do to one request."""

    fail_before: bool = False
    fail_after: bool = False
    drop: bool = False
    delay: float = 0.0
    behaviour: Behaviour = field(default_factory=Behaviour)


def server_error(request: Request) -> Response:
    """PayPal's 500 for the request's API (JSON on REST paths, bare on Payflow)."""
    if request.path.startswith(("/v1/", "/v2/")):
        return ApiError(500, api=request.path.split("/")[2]).response()
    return Response("Internal Server Error", status=500, mimetype="text/plain")


def protocol_modules() -> Iterable:
    """The modules whose routes the server serves (imported lazily)."""
    from . import control, pages, payflow, rest  # noqa: PLC0415

    return (control, payflow, rest, pages)


class SandboxApp:
    """WSGI application dispatching to the protocol handlers, with fault injection."""

    def __init__(self, state: SandboxState | None = None) -> None:
        self.state = state or SandboxState()
        rules = []
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
        claim = Claim() if is_control else self._claim_faults(request)
        environ[BEHAVIOUR_KEY] = claim.behaviour
        if claim.fail_before:
            return server_error(request)(environ, start_response)
        try:
            response = handler(request, **values)
        except HTTPException as exc:
            response = exc.get_response(environ)
        # The effect is committed by now: a slow, failed or dropped answer cannot undo it,
        # exactly the situation a client must resolve by retrying with the same request id.
        if claim.delay:
            time.sleep(claim.delay)
        if claim.drop:
            self._drop_connection(environ)
        if claim.fail_after:
            response = server_error(request)
        return response(environ, start_response)

    def _claim_faults(self, request: Request) -> Claim:
        """What the switches do to this request, taking one of each pending count."""
        with self.state.lock:
            if not self.state.faults.active():
                return Claim()
        # Cached by werkzeug: the handler reads the same body (and form) afterwards.
        text = request.full_path.encode() + b"\n" + request.get_data(cache=True)
        with self.state.lock:
            faults = self.state.faults
            if not faults.applies_to(text):
                return Claim()
            claim = Claim(delay=faults.delay_seconds, behaviour=faults.behaviour())
            # One counted fault per request: a request that never ran cannot also drop.
            if faults.fail_before > 0:
                faults.fail_before -= 1
                claim.fail_before = True
            elif faults.drop_after_commit > 0:
                faults.drop_after_commit -= 1
                claim.drop = True
            elif faults.fail_after_commit > 0:
                faults.fail_after_commit -= 1
                claim.fail_after = True
            return claim

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
    """A threaded HTTP server running ``SandboxApp`` in a background thread.

    ``app``: the simulator to serve, by default a new one. Passing a stopped server's ``app``
    (on its port) brings the same PayPal back with everything it recorded, as after an outage.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, app: SandboxApp | None = None
    ) -> None:
        self.app = app or SandboxApp()
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

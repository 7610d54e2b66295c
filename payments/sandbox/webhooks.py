"""Webhooks: signed event notifications, and ``POST /v1/notifications/verify-webhook-signature``.

Configure a listener with ``POST /_sandbox/webhooks`` ``{"url": "...", "webhook_id": "..."}``
(``webhook_id`` defaults to a new 17-character id; ``GET`` shows the configuration). From
then on every event below is POSTed to ``url`` in a background thread (time-out
``DELIVERY_TIMEOUT_SECONDS``), as PayPal sends them: a JSON body shaped like the Webhooks
document's ``event`` schema (``id`` ``WH-…``, ``event_version`` 1.0, ``create_time``,
``resource_type``, ``resource_version``, ``event_type``, ``summary``, ``resource``, ``links``)
and the headers ``PAYPAL-TRANSMISSION-ID``, ``PAYPAL-TRANSMISSION-TIME``,
``PAYPAL-TRANSMISSION-SIG``, ``PAYPAL-CERT-URL`` and ``PAYPAL-AUTH-ALGO``. With no URL
configured nothing is sent (PayPal only notifies subscribed listeners).

Events: ``PAYMENT.CAPTURE.COMPLETED`` / ``.PENDING`` / ``.DENIED`` (resource: the Payments v2
capture), ``PAYMENT.CAPTURE.REFUNDED`` and ``.REVERSED`` (resource: the refund or reversal),
``CHECKOUT.ORDER.APPROVED`` (resource: the order), ``MERCHANT.ONBOARDING.COMPLETED`` and
``MERCHANT.PARTNER-CONSENT.REVOKED`` (resource: ``merchant_id``, ``tracking_id``,
``partner_client_id``).

PayPal sends many more event types than these (disputes, subscriptions…). ``POST
/_sandbox/webhooks/emit`` ``{"event_type": "CUSTOMER.DISPUTE.CREATED", "resource": {...},
"resource_type": "dispute"}`` sends one of any type, signed like the others, to show how a
listener treats a type it does not act on.

Every delivery attempt is logged: ``GET /_sandbox/webhooks/deliveries`` lists ``event_id``,
``event_type``, ``transmission_id``, ``url``, the ``headers`` and ``body`` sent, and the
listener's ``status`` (or ``error``). ``POST /_sandbox/webhooks/redeliver``
``{"event_id": "...", "same_transmission": false}`` sends an event again: by default as a new
transmission (new id, time and signature, like PayPal's resend), with ``true`` byte for byte
the first transmission again (a replay).

``verify-webhook-signature`` (bearer token required) answers ``{"verification_status":
"SUCCESS"}`` only when the transmission id, time, signature, certificate URL and algorithm
are those of a transmission the simulator made, ``webhook_event`` is the event it sent in it,
unchanged, and ``webhook_id`` is the listener's id it was sent for; ``FAILURE`` otherwise.
The signature is an HMAC-SHA256 (hex) over ``transmission_id|time|webhook_id|crc32(body)``
with a key only the simulator holds; ``PAYPAL-AUTH-ALGO`` reads ``SHA256withRSA`` as at
PayPal, and the certificate URL is not served (clients verify through the API, as PayPal
recommends).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import urllib.error
import urllib.request
import uuid
import zlib
from datetime import UTC, datetime
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .rest_common import api, new_id, now_iso
from .rest_errors import ApiError, issue, json_body, json_response
from .state import SandboxState

WEBHOOKS = "webhooks"
DELIVERY_TIMEOUT_SECONDS = 3.0
AUTH_ALGO = "SHA256withRSA"
CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-sandbox0"
VERIFY_FIELDS = ("auth_algo", "cert_url", "transmission_id", "transmission_sig",
                 "transmission_time", "webhook_id")  # fmt: skip
EVENT_TYPE = re.compile(r"[A-Z][A-Z0-9_-]*(\.[A-Z0-9_-]+)+")
HEADER_OF = {
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "cert_url": "PAYPAL-CERT-URL",
    "auth_algo": "PAYPAL-AUTH-ALGO",
}


def _table(state: SandboxState) -> dict[str, Any]:
    with state.lock:
        table = state.table(WEBHOOKS)
        if "key" not in table:
            table.update(
                key=secrets.token_bytes(32),
                config=None,
                events={},
                transmissions={},
                deliveries=[],
            )
        return table


def _event_id() -> str:
    return f"WH-{new_id(17)}-{new_id(17)}"


def emit(
    state: SandboxState,
    event_type: str,
    resource: dict,
    *,
    resource_type: str,
    summary: str,
    base: str,
    resource_version: str = "2.0",
) -> dict | None:
    """Build an event and send it to the configured listener; None when there is none."""
    table = _table(state)
    with state.lock:
        if not table["config"]:
            return None
        event_id = _event_id()
        event = {
            "id": event_id,
            "event_version": "1.0",
            "create_time": now_iso(),
            "resource_type": resource_type,
            "resource_version": resource_version,
            "event_type": event_type,
            "summary": summary,
            "resource": resource,
            "links": [
                {
                    "href": f"{base}/v1/notifications/webhooks-events/{event_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{base}/v1/notifications/webhooks-events/{event_id}/resend",
                    "rel": "resend",
                    "method": "POST",
                },
            ],
        }
        table["events"][event_id] = event
        transmission = _transmit(state, table, event, base)
    _deliver_later(state, transmission)
    return event


def _transmit(state: SandboxState, table: dict, event: dict, base: str) -> dict:
    """A new signed transmission of ``event`` to the configured listener (lock held)."""
    config = table["config"]
    body = json.dumps(event).encode()
    transmission_id = str(uuid.uuid4())
    sent_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = f"{transmission_id}|{sent_at}|{config['webhook_id']}|{zlib.crc32(body)}"
    headers = {
        HEADER_OF["transmission_id"]: transmission_id,
        HEADER_OF["transmission_time"]: sent_at,
        HEADER_OF["transmission_sig"]: hmac.new(
            table["key"], message.encode(), hashlib.sha256
        ).hexdigest(),
        HEADER_OF["cert_url"]: base + CERT_PATH,
        HEADER_OF["auth_algo"]: AUTH_ALGO,
    }
    transmission = {
        "event_id": event["id"],
        "event_type": event["event_type"],
        "webhook_id": config["webhook_id"],
        "url": config["url"],
        "headers": headers,
        "body": body,
    }
    table["transmissions"][transmission_id] = transmission
    return transmission


def _deliver_later(state: SandboxState, transmission: dict) -> None:
    threading.Thread(target=_deliver, args=(state, transmission), daemon=True).start()


def _deliver(state: SandboxState, transmission: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - the URL a test configured
        transmission["url"],
        data=transmission["body"],
        method="POST",
        headers={"Content-Type": "application/json", **transmission["headers"]},
    )
    status, error = 0, ""
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    record = {
        "event_id": transmission["event_id"],
        "event_type": transmission["event_type"],
        "transmission_id": transmission["headers"][HEADER_OF["transmission_id"]],
        "url": transmission["url"],
        "headers": transmission["headers"],
        "body": transmission["body"].decode(),
        "status": status,
        "error": error,
    }
    with state.lock:
        _table(state)["deliveries"].append(record)


def _verified(table: dict, data: dict) -> bool:
    transmission = table["transmissions"].get(data.get("transmission_id"))
    config = table["config"]
    if transmission is None or not config:
        return False
    sent = {name: transmission["headers"][header] for name, header in HEADER_OF.items()}
    return (
        all(data.get(name) == value for name, value in sent.items())
        and data.get("webhook_id") == transmission["webhook_id"] == config["webhook_id"]
        and data.get("webhook_event") == json.loads(transmission["body"])
    )


def routes(state: SandboxState) -> list[Rule]:
    @api(state, api_name="webhooks")
    def verify(request: Request) -> Response:
        data = json_body(request, required=True, description="The request JSON is not valid.")
        missing = [name for name in (*VERIFY_FIELDS, "webhook_event") if not data.get(name)]
        if missing:
            raise ApiError(
                400,
                [
                    issue("MISSING_REQUIRED_PARAMETER", "A required field is missing.", field=name)
                    for name in missing
                ],
                api="webhooks",
            )
        status = "SUCCESS" if _verified(_table(state), data) else "FAILURE"
        return json_response({"verification_status": status})

    return [
        Rule("/v1/notifications/verify-webhook-signature", endpoint=verify, methods=["POST"]),
        *control_routes(state),
    ]


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def control_routes(state: SandboxState) -> list[Rule]:
    def configure(request: Request) -> Response:
        table = _table(state)
        if request.method == "POST":
            data = request.get_json(force=True, silent=True) or {}
            url = str(data.get("url") or "")
            if not url:
                with state.lock:
                    table["config"] = None
                return _json({})
            webhook_id = str(data.get("webhook_id") or new_id(17))
            if not webhook_id.isalnum():
                return _json({"error": "webhook_id must be letters and digits"}, 400)
            with state.lock:
                table["config"] = {"url": url, "webhook_id": webhook_id}
        with state.lock:
            return _json(table["config"] or {})

    def deliveries(request: Request) -> Response:
        with state.lock:
            return _json(list(_table(state)["deliveries"]))

    def redeliver(request: Request) -> Response:
        data = request.get_json(force=True, silent=True) or {}
        table = _table(state)
        with state.lock:
            event = table["events"].get(str(data.get("event_id", "")))
            if event is None or not table["config"]:
                return _json({"error": "unknown event, or no webhook URL configured"}, 404)
            if data.get("same_transmission"):
                transmission = next(
                    t for t in table["transmissions"].values() if t["event_id"] == event["id"]
                )
            else:
                base = request.host_url.rstrip("/")
                transmission = _transmit(state, table, event, base)
        _deliver_later(state, transmission)
        return _json({"transmission_id": transmission["headers"][HEADER_OF["transmission_id"]]})

    def emit_any(request: Request) -> Response:
        data = request.get_json(force=True, silent=True) or {}
        event_type, resource = str(data.get("event_type") or ""), data.get("resource") or {}
        if not EVENT_TYPE.fullmatch(event_type) or not isinstance(resource, dict):
            return _json({"error": "event_type like A.B.C and a resource object required"}, 400)
        event = emit(
            state,
            event_type,
            resource,
            resource_type=str(data.get("resource_type") or "resource"),
            summary=f"A {event_type} event",
            base=request.host_url.rstrip("/"),
        )
        if event is None:
            return _json({"error": "no webhook URL configured"}, 404)
        return _json({"event_id": event["id"]})

    return [
        Rule("/_sandbox/webhooks", endpoint=configure, methods=["GET", "POST"]),
        Rule("/_sandbox/webhooks/emit", endpoint=emit_any, methods=["POST"]),
        Rule("/_sandbox/webhooks/deliveries", endpoint=deliveries, methods=["GET"]),
        Rule("/_sandbox/webhooks/redeliver", endpoint=redeliver, methods=["POST"]),
    ]

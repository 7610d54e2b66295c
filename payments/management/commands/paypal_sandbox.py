"""``python manage.py paypal_sandbox --port N``: run the PayPal simulator in the foreground.

``--webhook-url`` (and ``--webhook-id``) make it send its signed webhook events to the
console from the start, as PayPal does for a subscribed listener; the console must then have
the same id in ``PAYPAL_WEBHOOK_ID_TEST``. ``make run`` wires both.
"""

import json
import threading
import urllib.request

from django.core.management.base import BaseCommand

from payments.sandbox.server import SandboxServer


class Command(BaseCommand):
    help = "Run the PayPal sandbox simulator (Payflow NVP and REST) on the given port."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--webhook-url", default="", help="where to send webhook events")
        parser.add_argument("--webhook-id", default="", help="the listener's webhook id")

    def handle(self, *args, host, port, webhook_url, webhook_id, **options):
        server = SandboxServer(host, port)
        self.stdout.write(f"PayPal sandbox simulator listening on {server.base_url}/")
        if webhook_url:
            # Sent from a thread: the socket already listens, and the request is answered as
            # soon as serve_forever starts below.
            control = f"http://127.0.0.1:{server.port}/_sandbox/webhooks"
            body = json.dumps({"url": webhook_url, "webhook_id": webhook_id}).encode()
            request = urllib.request.Request(control, data=body, method="POST")
            threading.Thread(
                target=lambda: urllib.request.urlopen(request, timeout=30).close(),  # noqa: S310
                daemon=True,
            ).start()
            self.stdout.write(f"Webhook events go to {webhook_url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

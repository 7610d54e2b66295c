"""``python manage.py paypal_sandbox --port N``: run the PayPal simulator in the foreground."""

from django.core.management.base import BaseCommand

from payments.sandbox.server import SandboxServer


class Command(BaseCommand):
    help = "Run the PayPal sandbox simulator (Payflow NVP and REST) on the given port."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, host, port, **options):
        server = SandboxServer(host, port)
        self.stdout.write(f"PayPal sandbox simulator listening on {server.base_url}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

"""``manage.py probe /readyz/``: exit 0 when the local web server answers 200 on a path.

For container healthchecks (the image has no curl). The request goes to the server of this
container over plain HTTP, with the first ``ALLOWED_HOSTS`` name as its host and
``X-Forwarded-Proto: https`` as a TLS-terminating proxy would send, so that neither host
validation nor the HTTPS redirect of the production settings turns it away.
"""

from __future__ import annotations

import http.client

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def probe_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


class Command(BaseCommand):
    help = "Ask the local web server for a path (e.g. /readyz/); exit 1 unless it answers 200."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the path to ask for, e.g. /readyz/")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--address", default="127.0.0.1")
        parser.add_argument("--timeout", type=float, default=5)

    def handle(self, *args, path: str, port: int, address: str, timeout: float, **options):
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
        try:
            connection.request(
                "GET", path, headers={"Host": probe_host(), "X-Forwarded-Proto": "https"}
            )
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
        except OSError as error:
            raise CommandError(f"{path}: no answer ({error.__class__.__name__})") from error
        finally:
            connection.close()
        self.stdout.write(f"{response.status} {body}")
        if response.status != 200:
            raise CommandError(f"{path} answered {response.status}")

"""``<service:service>`` in a URL: ``events`` or ``training``, handed to the view as a
``Service``. Any other value matches no URL (``to_python`` refuses it), so it is a 404 before
any view runs.

Registered by ``SitesConfig.ready()``, before any URL map is read.
"""

from __future__ import annotations

from .models import Service


class ServiceConverter:
    # Any path segment reaches ``to_python``, which lets only the services through; a link to
    # an unknown service can still be built (and answers 404, like a typed one).
    regex = "[^/]+"

    def to_python(self, value: str) -> Service:
        return Service(value)  # ValueError: no match

    def to_url(self, value: str) -> str:
        return str(value)

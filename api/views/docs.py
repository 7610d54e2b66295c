"""The OpenAPI document and its two readers, Swagger UI and Redoc, from our static files.

Both pages are plain HTML with external scripts and styles only (``static/api/``): the
drf-spectacular templates carry an inline ``<style>`` (and Redoc's a Google Fonts link), which
the site's CSP forbids, so ours replace them. Swagger UI's start-up script is served as a
separate file (``?script``, the split view). Redoc styles itself by injecting ``<style>``
elements at run time (styled-components): its page alone relaxes ``style-src`` to allow
them; its scripts stay ``'self'`` only.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)


class SchemaView(SpectacularAPIView):
    pass


class SwaggerView(SpectacularSwaggerSplitView):
    url_name = "api-schema"
    template_name = "api/docs/swagger_ui.html"


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class RedocView(SpectacularRedocView):
    url_name = "api-schema"
    template_name = "api/docs/redoc.html"

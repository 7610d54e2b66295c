"""The console's answer to an unhandled error (Django's ``handler500``).

A lost database connection (PostgreSQL restarted or failed over, the connection terminated,
the network cut) is not a bug of the page: the person is told the database was unavailable
and to try again, with HTTP 503, instead of the generic server error. The transaction that
was running is rolled back by the database, so what the request was writing is not half done;
Django drops the broken connection when the request ends and the next request opens a new one.
Every other error gets the generic 500 page. Neither shows a traceback; both are logged by
Django with their traceback (logger ``django.request``).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as generic_server_error

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """503 with the *database unavailable* page when the error was a lost database
    connection; otherwise Django's 500 page (``templates/500.html``)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        # Rendered without the request: its context processors could need the database.
        body = render_to_string("503_database.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
    return generic_server_error(request)

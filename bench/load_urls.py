"""The URL map of ``make bench-load``: the product's, plus two bare Django views as floors.

``/bench/bare/`` answers a tiny page without touching the database (what Django and gunicorn
cost); ``/bench/one-query/<id>/`` reads one session row first (plus one round trip to
PostgreSQL). They exist only here, never in the product's URL map.
"""

from django.http import HttpResponse
from django.urls import include, path

from sites.models import Session


def bare(request):
    return HttpResponse("<!doctype html><title>bare</title><p>bare view</p>")


def one_query(request, session_id: int):
    session = Session.objects.filter(pk=session_id).first()
    return HttpResponse(f"<!doctype html><title>one query</title><p>{session and session.fee}</p>")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/one-query/<int:session_id>/", one_query),
    path("", include("webexcommerce.urls")),
]

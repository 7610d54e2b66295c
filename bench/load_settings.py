"""Settings of ``make bench-load``'s gunicorn: production's, on plain HTTP over loopback.

Everything production sets stays (DEBUG off, the real secret checks, Redis cache, JSON logs)
except what a loopback benchmark without TLS cannot honour, and the attempt limits, which a
load of card payments from one address would hit at once. The bench's URL map adds two bare
views beside the product's (``bench/load_urls.py``); the product's own URL map has none.
"""

from webexcommerce.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
SECURE_SSL_REDIRECT = False  # plain HTTP on 127.0.0.1: no TLS to redirect to
SESSION_COOKIE_SECURE = False  # the load tool must send the cookies back over HTTP
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PAYMENT_ATTEMPTS_PER_CLIENT = 10**9  # every simulated attendee comes from 127.0.0.1
PAYMENT_ATTEMPTS_PER_CODE = 10**9

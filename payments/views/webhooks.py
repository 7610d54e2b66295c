"""``POST /paypal/webhooks/``: PayPal's notifications for the REST providers (Express
Checkout US and Canada).

PayPal's servers call it, not a person: there is no session and no CSRF token (the view is
CSRF-exempt by design), and PayPal's signature, confirmed by PayPal itself, is the only way
in (``payments.webhooks.receive``). A body over ``WEBHOOK_MAX_BYTES`` is refused with
413 before it is read. The answer is a bare status: nothing about the console is told.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .. import webhooks


@method_decorator(csrf_exempt, name="dispatch")
class PayPalWebhookView(View):
    http_method_names = ["post"]
    # The security suite's URL walk: signed by PayPal, the only way in (no session, no CSRF).
    authenticated_by_signature = True

    def post(self, request, *args, **kwargs):
        limit = settings.WEBHOOK_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(status=400)
        if declared > limit:
            return HttpResponse(status=413)
        body = request.read(limit + 1)
        if len(body) > limit:
            return HttpResponse(status=413)
        answer = webhooks.receive(request.headers, body)
        return HttpResponse(status=answer.status)

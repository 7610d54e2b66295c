"""What the attendee is told about a payment that did not go through, in their language.

``ENDINGS`` are the words for the endings the attendee did not cause by a PayPal answer
(they cancelled on PayPal, or the approval window ran out); they are also stored as the
payment's ``result_message`` when the state machine (``checkout``) ends it that way. Any
other ending shows PayPal's own message, or a plain default.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Payment, PaymentStatus

ENDINGS = {
    PaymentStatus.CANCELLED: gettext_lazy("You cancelled the payment on PayPal."),
    PaymentStatus.ABANDONED: gettext_lazy(
        "The payment was not completed on PayPal in time. Nothing was charged; please pay again."
    ),
}


def attendee_message(payment: Payment) -> str:
    """Why the payment did not go through, for the attendee, in the active language."""
    ending = ENDINGS.get(payment.status)
    if ending is not None:
        return str(ending)
    return payment.result_message or _("The payment did not go through.")

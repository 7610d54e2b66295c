"""Payflow's wire format and RESULT codes: what ``payflow.PayflowClient`` sends and reads.

A request is a raw name-value body (``NAME=value&...``); a value holding ``&`` or ``=`` is sent
with a byte-length tag ``NAME[n]=...``, and answers are read the same way. Request ids are
1-32 printable characters (``X-VPS-REQUEST-ID``); ``CUSTREF`` (12 alphanumerics) derived from
the request id lets an inquiry find the work of a request whose answer was lost.

``describe_result`` maps a RESULT code to an outcome (approved / declined: the buyer's
instrument / error: the request or the merchant's configuration) and the attendee's message.
Pure functions: no network, no models, no settings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .base import Outcome

PARTNER_US = "PayPal"
PARTNER_GB = "PayPalUK"

# RESULT of an inquiry that found nothing: the transaction never reached PayPal.
NOT_FOUND = "19"

SECRET_FIELDS = frozenset({"ACCT", "CVV2", "EXPDATE", "PWD", "SWIPE"})
_REQUEST_ID = re.compile(r"^[\x20-\x7e]{1,32}$")
_TAGGED_NAME = re.compile(rb"^([A-Za-z0-9_]+)\[(\d+)\]$")

A, D, E = Outcome.APPROVED, Outcome.DECLINED, Outcome.ERROR

# RESULT -> (outcome, what to tell the attendee). 0 approves; declines are about the
# buyer's instrument (they may try again or use another card); errors are about the request
# or the merchant's configuration.
RESULT_CODES: dict[int, tuple[Outcome, object]] = {
    0: (A, _("Payment approved.")),
    1: (E, _("The organizer's PayPal account rejected the sign-in. Please contact the organizer.")),
    2: (E, _("This payment method is not accepted here.")),
    3: (E, _("The payment could not be processed. Please contact the organizer.")),
    4: (E, _("The amount is not valid. Please contact the organizer.")),
    5: (E, _("The organizer's PayPal account is not set up correctly.")),
    6: (E, _("This currency is not accepted by the organizer's PayPal account.")),
    7: (E, _("Some payment details were missing or malformed. Please check them.")),
    12: (D, _("Your card was declined. Please use another card or contact your bank.")),
    13: (D, _("Your bank needs to approve this payment by phone. Please use another card.")),
    19: (E, _("The original payment could not be found.")),
    23: (D, _("The card number is not valid. Please check it and try again.")),
    24: (D, _("The expiry date is not valid. Please check it and try again.")),
    25: (E, _("The organizer's PayPal account is not set up correctly.")),
    26: (E, _("The organizer's PayPal account is not set up correctly.")),
    30: (E, _("This payment has already been processed.")),
    50: (D, _("Your card has insufficient funds. Please use another card.")),
    51: (D, _("The amount is above your card's limit. Please use another card.")),
    99: (E, _("PayPal could not process the payment. Please try again later.")),
    104: (E, _("The card network did not answer in time. Please try again.")),
    105: (E, _("The refund is larger than what remains to be refunded.")),
    108: (E, _("This authorization can no longer be cancelled.")),
    111: (E, _("This authorization can no longer be captured.")),
    112: (D, _("The billing address does not match the card. Please check it.")),
    114: (D, _("The security code does not match the card. Please check it.")),
    117: (D, _("The payment was refused by the organizer's payment rules.")),
    125: (D, _("The payment was declined by fraud protection. Please use another card.")),
    126: (Outcome.PENDING, _("The payment is being reviewed. A receipt follows once accepted.")),
    127: (E, _("The payment could not be screened. Please try again later.")),
    1000: (E, _("The card network reported an error. Please try again later.")),
}
_UNKNOWN_RESULT = (E, _("PayPal could not process the payment. Please try again later."))


def describe_result(code: int) -> tuple[Outcome, str]:
    """The outcome and the attendee's message for a Payflow RESULT code."""
    if code < 0:  # negative RESULTs are communication errors reported by PayPal's SDKs
        return E, str(_("PayPal could not be reached. Please try again later."))
    outcome, message = RESULT_CODES.get(code, _UNKNOWN_RESULT)
    return outcome, str(message)


# --- wire format -------------------------------------------------------------------------


def encode_nvp(fields: Mapping[str, object]) -> bytes:
    """Raw NVP; a value with ``&`` or ``=`` gets a length tag counting its UTF-8 bytes."""
    parts = []
    for name, value in fields.items():
        data = str(value).encode("utf-8")
        if b"&" in data or b"=" in data:
            parts.append(f"{name}[{len(data)}]=".encode("ascii") + data)
        else:
            parts.append(f"{name}=".encode("ascii") + data)
    return b"&".join(parts)


def decode_nvp(body: bytes) -> dict[str, str]:
    """Parse a Payflow answer, honouring length tags; raises ``ValueError`` when malformed."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        eq = body.index(b"=", pos)
        name = body[pos:eq]
        tagged = _TAGGED_NAME.match(name)
        if tagged:
            name, stop = tagged.group(1), eq + 1 + int(tagged.group(2))
            if stop > len(body) or body[stop : stop + 1] not in (b"", b"&"):
                raise ValueError("bad length tag in Payflow answer")
        else:
            amp = body.find(b"&", eq + 1)
            stop = len(body) if amp < 0 else amp
        fields[name.decode("ascii").upper()] = body[eq + 1 : stop].decode("utf-8")
        pos = stop + 1
    return fields


def wire_request_id(request_id: str) -> str:
    """The ``X-VPS-REQUEST-ID`` for a caller's idempotency key (1-32 printable characters).

    A longer key (a hyphenated UUID is 36) is hashed, deterministically, so every retry of
    one attempt still carries the same id.
    """
    if not request_id:
        raise ValueError("a request id is required")
    if _REQUEST_ID.match(request_id):
        return request_id
    return hashlib.sha256(request_id.encode("utf-8")).hexdigest()[:32]


def custref_for(request_id: str) -> str:
    """The ``CUSTREF`` (12 alphanumerics) that lets an inquiry find this request id's work."""
    return hashlib.sha256(request_id.encode("utf-8")).hexdigest()[:12].upper()


def format_amount(amount: Decimal) -> str:
    return f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"

"""Why PayPal holds a payment's money, in plain words for the administrator.

The codes are PayPal's own: an Orders v2 capture's ``status_details.reason`` (upper case), an
Express Checkout ``PENDINGREASON`` (lower case), and ``fraud_review`` for Payflow's RESULT 126.
``describe`` never fails: an unknown code is shown as PayPal sent it.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REASONS = {
    # Orders v2 capture status_details.reason
    "buyer_complaint": _("The buyer filed a complaint about this payment."),
    "chargeback": _("The buyer's bank disputes this payment."),
    "echeck": _("Paid by eCheck: PayPal releases the money once the eCheck clears."),
    "international_withdrawal": _(
        "The merchant's PayPal account must accept money withdrawn in another currency."
    ),
    "other": _("PayPal holds the payment for a reason it did not give."),
    "pending_review": _("PayPal is reviewing the payment for risk."),
    "receiving_preference_mandates_manual_action": _(
        "The merchant must accept this payment by hand in their PayPal account "
        "(payment receiving preferences)."
    ),
    "refunded": _("The payment was refunded while pending."),
    "transaction_approved_awaiting_funding": _(
        "The buyer approved the payment; PayPal is waiting for the funds."
    ),
    "unilateral": _(
        "The merchant's PayPal e-mail address is not linked to a confirmed PayPal account yet."
    ),
    "verification_required": _("The merchant's PayPal account must be verified first."),
    "declined_by_risk_fraud_filters": _("The merchant's fraud filters hold this payment."),
    # Express Checkout PENDINGREASON
    "address": _("The merchant accepts payments without a confirmed address by hand only."),
    "authorization": _("The payment is authorized but not captured yet."),
    "intl": _("The merchant must accept an international payment by hand in PayPal."),
    "multicurrency": _("The merchant must accept a payment in this currency by hand in PayPal."),
    "order": _("The payment is an order not captured yet."),
    "paymentreview": _("PayPal is reviewing the payment for risk."),
    "regulatoryreview": _("PayPal is reviewing the payment for compliance."),
    "upgrade": _("The merchant must upgrade their PayPal account to receive this payment."),
    "verify": _("The merchant's PayPal account must be verified first."),
    # Payflow RESULT 126
    "fraud_review": _("Under review by the merchant's fraud protection (Payflow result 126)."),
}


def describe(code: str) -> str:
    """Plain words for PayPal's reason ``code``, in the active language."""
    text = REASONS.get(code.strip().lower())
    if text is None:
        return gettext("PayPal holds the payment (reason: %(code)s).") % {"code": code}
    return str(text)

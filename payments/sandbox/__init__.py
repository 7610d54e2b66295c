"""A faithful stand-in for PayPal's test endpoints (Payflow NVP and REST), served over HTTP.

This package imports nothing of the product (not even ``payments.gateways``), so a bug
shared by a client and the simulator cannot hide on both sides of the wire.

Modules: ``server`` (WSGI app, fault injection), ``state`` (tables, switches, clock),
``control`` (the ``/_sandbox/`` routes), ``pages`` (the buyer's and seller's HTML pages),
``payflow*`` (Payflow Gateway and Express Checkout through it), ``rest*`` (OAuth, Orders v2,
Payments v2, Partner Referrals v2), ``merchants`` (who a partner acts for), ``webhooks``
(signed events and ``verify-webhook-signature``).

PayPal behaviour -> simulator switch
====================================

Switches are set with ``POST /_sandbox/faults`` (JSON; every key absent is off) and apply to
each protocol request whose path, query or body holds ``only_matching`` (all requests when
empty). Counts (``fail_before``, ``fail_after_commit``, ``drop_after_commit``) are used up one
per matching request; the others stay on until changed or ``/_sandbox/reset``. The other
control routes act once, when called. ``tests/conftest.py``'s ``SandboxHandle`` has a method
for each.

===========================================================  ==================================
PayPal behaviour                                             simulator switch / control route
===========================================================  ==================================
5xx before anything happened (retry is a new request)        ``fail_before: n``
5xx after the effect is committed (retry with the same       ``fail_after_commit: n``
``PayPal-Request-Id`` / ``X-VPS-REQUEST-ID`` gets the
original answer)
connection dropped after the effect (no HTTP answer)         ``drop_after_commit: n``
slow answer (client time-out while the transaction exists)  ``delay_seconds: s``
Orders capture ``status: PENDING`` with                      ``capture_pending_reason: REASON``
``status_details.reason`` (``PENDING_REVIEW``,
``UNILATERAL``, ``RECEIVING_PREFERENCE_MANDATES_MANUAL_…``)
... later COMPLETED or DENIED (+ webhook)                     ``POST /_sandbox/captures/{id}/
                                                             settle`` ``{"outcome":
                                                             "completed"|"denied"}``
chargeback: PAYMENT.CAPTURE.REVERSED                         ``POST /_sandbox/captures/{id}/
                                                             reverse``
Payflow RESULT 126 (authorized, under fraud review)          ``fraud_review: true``
... inquiry later accepted (0) or rejected (125)             ``POST /_sandbox/payflow/
                                                             transactions/{pnref}/settle``
                                                             ``{"outcome": "accepted"|
                                                             "rejected"}``
Express Checkout (Payflow) ``PENDINGREASON`` on              ``pending_reason: echeck`` (or
``ACTION=D``; inquiry reports it until settled               ``multicurrency``…); settled by
                                                             the same ``…/settle`` route
order approved, buyer never back at the return URL           ``POST /_sandbox/orders/{id}/
(APPROVED, CHECKOUT.ORDER.APPROVED)                          approve``, or
                                                             ``approve_without_return: true``
                                                             on the approval page
webhooks: signed events to the merchant's listener           ``POST /_sandbox/webhooks``
                                                             ``{"url", "webhook_id"}``
... delivery log; a resend or an exact replay                ``GET /_sandbox/webhooks/
                                                             deliveries``, ``POST /_sandbox/
                                                             webhooks/redeliver``
any other event type (one the listener does not act on)      ``POST /_sandbox/webhooks/emit``
                                                             ``{"event_type", "resource"}``
MERCHANT.ONBOARDING.COMPLETED                                the seller grants consent on
                                                             ``/partner-consent/{id}``
MERCHANT.PARTNER-CONSENT.REVOKED (refunds for that           ``POST /_sandbox/merchants/{id}/
merchant refused from then on)                               revoke``
three-party refund refused without a valid                   always on for known merchants
``PayPal-Auth-Assertion`` (403 ``PERMISSION_DENIED``)        (onboarded, or ``POST /_sandbox/
                                                             merchants``)
Payflow AVS: street 667+ or not starting with a number ->    always on (``BILLTOSTREET``)
``AVSADDR=X``, ``AVSZIP=X``
``PayPal-Request-Id`` kept 6 hours (Orders) / 45 days        ``POST /_sandbox/clock``
(Payments); OAuth tokens 9 hours                             ``{"advance_seconds": s}``
negative testing (declines, restricted accounts, 500)        ``PayPal-Mock-Response`` header
                                                             (codes per operation in
                                                             ``rest_orders``,
                                                             ``rest_payments``,
                                                             ``rest_referrals``)
Payflow declines and errors                                  pilot amounts and cards
                                                             (``payflow_rules``)
===========================================================  ==================================

Every money movement is appended to the ledger (``GET /_sandbox/ledger``): kinds ``sale``,
``capture``, ``credit``, ``express_checkout`` (Payflow), ``capture``, ``refund``,
``reversal`` (REST). Held money (a PENDING capture, a transaction under review or pending)
reaches the ledger only when it settles as completed or accepted.
"""

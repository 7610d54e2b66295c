"""PayPal and payments: field encryption of provider secrets, PayPal's endpoints and the
platform's credentials, webhooks, and the payment state machine's timings and limits
(docs/operations.md, docs/payments.md). Imported by ``base``; ``provider_gateways`` is the only
reader of the ``PAYPAL_*`` endpoint settings.
"""

import os

from .env import env_list

# Field encryption: comma-separated Fernet keys, the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

# PayPal endpoints: every URL is a setting so tests and the demo point at the simulator.
PAYPAL_PAYFLOW_TEST_URL = os.environ.get(
    "PAYPAL_PAYFLOW_TEST_URL", "https://pilot-payflowpro.paypal.com/"
)
PAYPAL_PAYFLOW_LIVE_URL = os.environ.get(
    "PAYPAL_PAYFLOW_LIVE_URL", "https://payflowpro.paypal.com/"
)
PAYPAL_EC_TEST_REDIRECT_URL = os.environ.get(
    "PAYPAL_EC_TEST_REDIRECT_URL", "https://www.sandbox.paypal.com/cgi-bin/webscr"
)
PAYPAL_EC_LIVE_REDIRECT_URL = os.environ.get(
    "PAYPAL_EC_LIVE_REDIRECT_URL", "https://www.paypal.com/cgi-bin/webscr"
)
PAYPAL_REST_TEST_URL = os.environ.get("PAYPAL_REST_TEST_URL", "https://api-m.sandbox.paypal.com")
PAYPAL_REST_LIVE_URL = os.environ.get("PAYPAL_REST_LIVE_URL", "https://api-m.paypal.com")
# The platform's own REST credentials (Partner Referrals, Orders v2 on behalf of merchants).
PAYPAL_REST_TEST_CLIENT_ID = os.environ.get("PAYPAL_REST_TEST_CLIENT_ID", "")
PAYPAL_REST_TEST_SECRET = os.environ.get("PAYPAL_REST_TEST_SECRET", "")
PAYPAL_REST_LIVE_CLIENT_ID = os.environ.get("PAYPAL_REST_LIVE_CLIENT_ID", "")
PAYPAL_REST_LIVE_SECRET = os.environ.get("PAYPAL_REST_LIVE_SECRET", "")
PAYPAL_TIMEOUT_SECONDS = float(os.environ.get("PAYPAL_TIMEOUT_SECONDS", "45"))
# Webhooks (POST /paypal/webhooks/): the id PayPal gave the platform's webhook in each mode's
# REST app; events are verified against it. Empty: events of that mode are refused.
PAYPAL_WEBHOOK_ID_TEST = os.environ.get("PAYPAL_WEBHOOK_ID_TEST", "")
PAYPAL_WEBHOOK_ID_LIVE = os.environ.get("PAYPAL_WEBHOOK_ID_LIVE", "")
# Larger deliveries are refused with 413 (PayPal's events are a few kilobytes).
WEBHOOK_MAX_BYTES = int(os.environ.get("WEBHOOK_MAX_BYTES", str(64 * 1024)))
# A failed processing is retried after RETRY_SECONDS, doubling each time up to an hour, at most
# MAX_ATTEMPTS times in all; the event then stays "failed" for ops to see.
WEBHOOK_RETRY_SECONDS = float(os.environ.get("WEBHOOK_RETRY_SECONDS", "30"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))

# Payments (docs/payments.md): how long a pending payment is left alone before the resolver
# asks PayPal; how long a PayPal checkout may wait for the attendee's approval (the promo code
# use is held that long, then the checkout is abandoned); the resolver's retries of a call
# PayPal did not answer (same request id; the delay doubles from the second retry, capped).
PAYMENT_PENDING_GRACE_SECONDS = int(os.environ.get("PAYMENT_PENDING_GRACE_SECONDS", "60"))
PAYMENT_APPROVAL_WINDOW_MINUTES = float(os.environ.get("PAYMENT_APPROVAL_WINDOW_MINUTES", "15"))
PAYMENT_RETRY_MAX_ATTEMPTS = int(os.environ.get("PAYMENT_RETRY_MAX_ATTEMPTS", "8"))
PAYMENT_RETRY_BACKOFF_SECONDS = float(os.environ.get("PAYMENT_RETRY_BACKOFF_SECONDS", "60"))
PAYMENT_RETRY_BACKOFF_MAX_SECONDS = float(
    os.environ.get("PAYMENT_RETRY_BACKOFF_MAX_SECONDS", "21600")
)
# Payment attempts (card or PayPal) allowed per client address and per promo code in a window.
PAYMENT_ATTEMPTS_PER_CLIENT = int(os.environ.get("PAYMENT_ATTEMPTS_PER_CLIENT", "10"))
PAYMENT_ATTEMPTS_PER_CODE = int(os.environ.get("PAYMENT_ATTEMPTS_PER_CODE", "30"))
PAYMENT_ATTEMPTS_WINDOW_SECONDS = int(os.environ.get("PAYMENT_ATTEMPTS_WINDOW_SECONDS", "600"))
PAYMENT_RESOLVE_INTERVAL_SECONDS = float(os.environ.get("PAYMENT_RESOLVE_INTERVAL_SECONDS", "60"))
PAYMENTS_BEAT_SCHEDULE = {}
PAYMENTS_BEAT_SCHEDULE["resolve-pending-payments"] = {
    "task": "payments.tasks.resolve_pending_payments",
    "schedule": PAYMENT_RESOLVE_INTERVAL_SECONDS,
}
PAYMENTS_BEAT_SCHEDULE["resolve-pending-refunds"] = {
    "task": "payments.tasks.resolve_pending_refunds",
    "schedule": PAYMENT_RESOLVE_INTERVAL_SECONDS,
}
# Receipts whose task could not be queued (the broker was down) are sent by this sweep.
PAYMENTS_BEAT_SCHEDULE["send-due-receipts"] = {
    "task": "payments.tasks.send_due_receipts",
    "schedule": PAYMENT_RESOLVE_INTERVAL_SECONDS,
}
PAYMENTS_BEAT_SCHEDULE["queue-stale-webhook-events"] = {
    "task": "payments.tasks.queue_stale_webhook_events",
    "schedule": PAYMENT_RESOLVE_INTERVAL_SECONDS,
}

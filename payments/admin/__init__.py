"""Django admin of the payments app, one module per page group like ``views/`` and ``forms/``:
``settings`` (e-commerce settings), ``providers`` (PayPal accounts), ``transactions``
(payments, refunds and registrations, read-only), ``webhooks`` (PayPal's events, read-only).
Importing the package registers them all.
"""

from . import providers, settings, transactions, webhooks

__all__ = ["providers", "settings", "transactions", "webhooks"]

"""Models of the payments app, one module per concern."""

from .commerce import CommerceSettings, Mode, ProviderKind
from .payment import (
    COLLECTED_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    RECEIPT_UNSENT,
    RECHECKED_STATUSES,
    UNPAID_STATUSES,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundSource,
    Registration,
)
from .providers import (
    AccountType,
    Card,
    ExpressCheckoutAccount,
    PayflowAccount,
    PermissionStatus,
)
from .webhooks import EventStatus, WebhookEvent

__all__ = [
    "AccountType",
    "COLLECTED_STATUSES",
    "EventStatus",
    "RefundSource",
    "WebhookEvent",
    "Card",
    "CommerceSettings",
    "ExpressCheckoutAccount",
    "Mode",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "RECEIPT_UNSENT",
    "RECHECKED_STATUSES",
    "UNPAID_STATUSES",
    "PayflowAccount",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Refund",
    "Registration",
    "PermissionStatus",
    "ProviderKind",
]

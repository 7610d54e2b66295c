"""Models of the payments app, one module per concern."""

from .commerce import CommerceSettings, Mode, ProviderKind
from .payment import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    RECHECKED_STATUSES,
    UNPAID_STATUSES,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    Registration,
)
from .providers import (
    AccountType,
    Card,
    ExpressCheckoutAccount,
    PayflowAccount,
    PermissionStatus,
)

__all__ = [
    "AccountType",
    "Card",
    "CommerceSettings",
    "ExpressCheckoutAccount",
    "Mode",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
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

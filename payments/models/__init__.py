"""Models of the payments app, one module per concern."""

from .commerce import CommerceSettings, Mode, ProviderKind
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
    "PayflowAccount",
    "PermissionStatus",
    "ProviderKind",
]

"""Django admin for ops: each site's PayPal provider accounts (never their password)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sites.inputs import InputsAdmin

from ..models import ExpressCheckoutAccount, PayflowAccount


@admin.register(PayflowAccount)
class PayflowAccountAdmin(InputsAdmin):
    """Ops see everything but the password, which is shown only as set or not."""

    list_display = ["site", "kind", "vendor", "account_type", "currency", "password_is_set"]
    list_filter = ["kind", "account_type"]
    search_fields = ["site__slug", "vendor", "user"]
    exclude = ["password"]
    readonly_fields = ["password_is_set", "updated_at"]

    @admin.display(boolean=True, description=_("Password set"))
    def password_is_set(self, obj) -> bool:
        return bool(obj.password)


@admin.register(ExpressCheckoutAccount)
class ExpressCheckoutAccountAdmin(InputsAdmin):
    list_display = [
        "site",
        "kind",
        "paypal_email",
        "currency",
        "permission_status",
        "permission_updated_at",
    ]
    list_filter = ["kind", "permission_status"]
    search_fields = ["site__slug", "paypal_email", "merchant_id_in_paypal"]
    readonly_fields = [
        "permission_status",
        "permission_updated_at",
        "merchant_id_in_paypal",
        "referral_tracking_id",
        "updated_at",
    ]

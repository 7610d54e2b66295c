"""Django admin for ops: payments, refunds and registrations, read-only.

Money records change only through the payment page, the worker and the refund service;
ops look, search and filter, but cannot add, edit or delete them here.
"""

from django.contrib import admin

from sites.inputs import InputsAdmin

from ..models import Payment, Refund, Registration


class ReadOnlyAdmin(InputsAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["created_at", "amount", "status", "gateway_reference", "result_code", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "site",
        "created_at",
        "attendee_email",
        "session",
        "amount",
        "refunded_amount",
        "currency",
        "status",
        "method",
        "provider",
        "is_test",
        "gateway_reference",
    ]
    list_filter = ["site", "status", "is_test", "provider", "method"]
    search_fields = ["attendee_email", "attendee_name", "gateway_reference", "gateway_order_id"]
    list_select_related = ["site", "session"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [RefundInline]
    exclude = ["public_token"]  # the attendee's confirmation-page key: not for display


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "created_at", "amount", "status", "gateway_reference"]
    list_filter = ["status", "payment__site", "payment__is_test"]
    search_fields = ["payment__attendee_email", "payment__gateway_reference", "gateway_reference"]
    list_select_related = ["payment", "payment__site"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["id", "site", "session", "attendee_name", "attendee_email", "created_at"]
    list_filter = ["site"]
    search_fields = ["attendee_email", "attendee_name", "session__title"]
    list_select_related = ["site", "session"]

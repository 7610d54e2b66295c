"""Django admin for ops: the PayPal webhook events received, read-only.

Type, resource, the mode whose PayPal verified it, processing state, attempts, last error and
when it arrived. The event's body is not shown in the list; it holds no credential.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import WebhookEvent
from .transactions import ReadOnlyAdmin


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "event_type",
        "resource_id",
        "verified",
        "mode",
        "status",
        "attempts",
        "short_error",
        "processed_at",
    ]
    list_filter = ["status", "event_type", "mode"]
    search_fields = ["event_id", "resource_id", "transmission_id"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    fields = [
        "event_id",
        "event_type",
        "resource_type",
        "resource_id",
        "mode",
        "transmission_id",
        "status",
        "attempts",
        "outcome",
        "error",
        "received_at",
        "started_at",
        "processed_at",
        "payload",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("verified"))
    def verified(self, event: WebhookEvent) -> bool:
        return event.verified

    @admin.display(description=_("last error"))
    def short_error(self, event: WebhookEvent) -> str:
        return event.error[:120]

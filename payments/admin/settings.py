"""Django admin for ops: each site's e-commerce settings (services, mode, active provider)."""

from django.contrib import admin

from sites.inputs import InputsAdmin

from ..models import CommerceSettings


@admin.register(CommerceSettings)
class CommerceSettingsAdmin(InputsAdmin):
    list_display = ["site", "events_enabled", "training_enabled", "mode", "provider", "updated_at"]
    list_filter = ["mode", "provider", "events_enabled", "training_enabled"]
    search_fields = ["site__slug", "site__name", "business_name"]
    autocomplete_fields = ["site"]

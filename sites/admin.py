"""Django admin for ops (/ops/): sites with provisioning, memberships, sessions, history."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .inputs import InputsAdmin
from .models import Membership, Revision, Session, Site


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(InputsAdmin):
    list_display = ["slug", "name", "time_zone", "language", "ecommerce_provisioned", "created_at"]
    list_filter = ["ecommerce_provisioned", "language"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]
    actions = ["provision_ecommerce", "unprovision_ecommerce"]

    @admin.action(description=_("Provision e-commerce for the selected sites"))
    def provision_ecommerce(self, request, queryset):
        count = queryset.update(ecommerce_provisioned=True)
        self.message_user(
            request,
            ngettext("%d site provisioned.", "%d sites provisioned.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw e-commerce from the selected sites"))
    def unprovision_ecommerce(self, request, queryset):
        count = queryset.update(ecommerce_provisioned=False)
        self.message_user(
            request,
            ngettext("%d site withdrawn.", "%d sites withdrawn.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(InputsAdmin):
    list_display = ["user", "site", "role"]
    list_filter = ["role", "site"]
    search_fields = ["user__username", "user__email", "site__slug"]
    autocomplete_fields = ["user", "site"]


@admin.register(Session)
class SessionAdmin(InputsAdmin):
    list_display = ["title", "site", "service", "kind", "starts_at", "fee"]
    list_filter = ["service", "kind", "site"]
    search_fields = ["title", "program", "site__slug"]
    autocomplete_fields = ["site", "organizer"]


@admin.register(Revision)
class RevisionAdmin(InputsAdmin):
    list_display = ["created_at", "site", "actor", "area", "summary"]
    list_filter = ["area", "site"]
    search_fields = ["site__slug", "actor__username", "summary"]
    readonly_fields = ["site", "actor", "created_at", "area", "summary", "changes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Django admin for ops (/ops/): sites with provisioning, memberships, sessions, history, and
Django's users and groups with the project's input checks."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group, User
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .history_areas import area_name
from .history_display import change_line, format_moment, summary_text
from .inputs import InputsAdmin, ListInputsAdmin, TextInputsForm
from .models import Membership, Revision, Session, Site
from .money import format_number


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(InputsAdmin):
    list_display = [
        "slug",
        "name",
        "time_zone",
        "language",
        "country",
        "ecommerce_provisioned",
        "created_at",
    ]
    list_filter = ["ecommerce_provisioned", "language", "country"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]
    actions = ["provision_ecommerce", "unprovision_ecommerce"]

    @admin.action(description=_("Provision e-commerce for the selected sites"))
    def provision_ecommerce(self, request, queryset):
        count = queryset.update(ecommerce_provisioned=True)
        self.message_user(
            request,
            ngettext("%(n)s site provisioned.", "%(n)s sites provisioned.", count)
            % {"n": format_number(count)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw e-commerce from the selected sites"))
    def unprovision_ecommerce(self, request, queryset):
        count = queryset.update(ecommerce_provisioned=False)
        self.message_user(
            request,
            ngettext("%(n)s site withdrawn.", "%(n)s sites withdrawn.", count)
            % {"n": format_number(count)},
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
    """Read-only, rendered as on the History page: reader's language, site's time zone."""

    list_display = ["created_at", "site", "actor", "area_shown", "summary_shown"]
    list_filter = ["area", "site"]
    search_fields = ["site__slug", "actor__username", "summary"]
    fields = ["site", "actor", "when_on_site", "area_shown", "summary_shown", "changes_shown"]
    readonly_fields = fields

    @admin.display(description=_("when (site's time zone)"))
    def when_on_site(self, obj: Revision) -> str:
        return f"{format_moment(obj.created_at, obj.site.tzinfo)} ({obj.site.time_zone})"

    @admin.display(description=_("area"), ordering="area")
    def area_shown(self, obj: Revision) -> str:
        return area_name(obj.area)

    @admin.display(description=_("summary"))
    def summary_shown(self, obj: Revision) -> str:
        return summary_text(obj)

    @admin.display(description=_("changes"))
    def changes_shown(self, obj: Revision):
        lines = [change_line(change, obj.site.tzinfo) for change in obj.changes or []]
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>: {}</li>",
                (
                    (line.label, _("changed") if line.secret else f"{line.old} → {line.new}")
                    for line in lines
                ),
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Django's users and groups, registered again with the project's checks ----------------


class OpsUserChangeForm(TextInputsForm, auth_forms.UserChangeForm):
    pass


class OpsUserCreationForm(TextInputsForm, auth_forms.AdminUserCreationForm):
    pass


class OpsUserAdmin(ListInputsAdmin, auth_admin.UserAdmin):
    """Django's user admin; its forms refuse control characters like every form here."""

    form = OpsUserChangeForm
    add_form = OpsUserCreationForm


class OpsGroupAdmin(InputsAdmin, auth_admin.GroupAdmin):
    pass


for _model, _admin_class in ((User, OpsUserAdmin), (Group, OpsGroupAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)

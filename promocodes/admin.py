"""Django admin for ops: find a code, see its uses, batches and e-mails; usage is read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.inputs import InputsAdmin
from sites.money import format_number

from .models import CreationBatch, PromoCode, PromoCodeEmail, PromoCodeUse
from .tasks import send_code_email


class PromoCodeUseInline(admin.TabularInline):
    model = PromoCodeUse
    extra = 0
    can_delete = False
    fields = ["reference", "session", "created_at", "released_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PromoCode)
class PromoCodeAdmin(InputsAdmin):
    list_display = [
        "code",
        "site",
        "service",
        "status",
        "uses",
        "max_uses",
        "expires_on",
        "recipient_email",
        "created_at",
    ]
    list_filter = ["status", "service", "site"]
    # "code" compiles to UPPER(code) LIKE …, served by the trigram index on PostgreSQL.
    search_fields = ["code"]
    list_select_related = ["site"]
    show_full_result_count = False
    raw_id_fields = ["batch", "created_by"]
    # Usage moves only through redemption and release, never by hand.
    readonly_fields = ["uses", "created_at", "batch", "created_by", "site"]
    inlines = [PromoCodeUseInline]
    ordering = ["-created_at", "-id"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["uses", "created_at", "batch", "created_by"]
        return self.readonly_fields


@admin.register(CreationBatch)
class CreationBatchAdmin(InputsAdmin):
    list_display = ["id", "site", "service", "state", "done", "total", "created_by", "created_at"]
    list_filter = ["state", "service", "site"]
    readonly_fields = [
        "site",
        "service",
        "created_by",
        "created_at",
        "finished_at",
        "total",
        "done",
        "state",
        "error",
        "attempts",
        "last_progress_at",
        "params",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(PromoCodeEmail)
class PromoCodeEmailAdmin(InputsAdmin):
    list_display = ["promo_code", "state", "attempts", "claimed_at", "sent_at", "last_error"]
    list_filter = ["state"]
    search_fields = ["promo_code__code", "promo_code__recipient_email"]
    raw_id_fields = ["promo_code"]
    readonly_fields = [
        "promo_code",
        "state",
        "attempts",
        "queued_at",
        "claimed_at",
        "sent_at",
        "last_error",
    ]
    actions = ["requeue"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again (e-mails stuck in “sending” or pending)"))
    def requeue(self, request, queryset):
        ids = list(
            queryset.filter(
                state__in=[PromoCodeEmail.State.SENDING, PromoCodeEmail.State.PENDING]
            ).values_list("pk", flat=True)
        )
        # A "sending" e-mail is claimed again only once its claim is stale (its worker died):
        # a live sender is never doubled (see ``emails.send_code_email``).
        for code_id in ids:
            send_code_email.delay(code_id)
        self.message_user(
            request,
            ngettext("%(n)s e-mail queued.", "%(n)s e-mails queued.", len(ids))
            % {"n": format_number(len(ids))},
            messages.SUCCESS,
        )

"""The report's bulk actions: extend the expiration date, delete (one UPDATE each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.date_display import format_date
from sites.history import record
from sites.models import Site

from .models import Status


@dataclass(frozen=True)
class ExtendResult:
    extended: int
    reactivated: int
    skipped_deleted: int


def extend_expiry(site: Site, codes: QuerySet, until: date, actor) -> ExtendResult:
    """Set the expiration date of the selected codes to ``until`` (one UPDATE).

    Deleted codes are skipped and counted; expired codes become active again (``until`` is
    never in the past). One revision records the action.
    """
    if until < site.today():
        raise ValueError("cannot extend into the past")
    codes = codes.for_site(site).order_by()
    with transaction.atomic():
        counts = codes.aggregate(
            deleted=Count("pk", filter=Q(status=Status.DELETED)),
            expired=Count("pk", filter=Q(status=Status.EXPIRED)),
        )
        extended = codes.exclude(status=Status.DELETED).update(
            expires_on=until,
            status=Case(
                When(status=Status.EXPIRED, then=Value(Status.ACTIVE)), default=F("status")
            ),
        )
        result = ExtendResult(extended, min(counts["expired"], extended), counts["deleted"])
        record(
            site,
            actor,
            "promocodes.extend",
            [
                {
                    "field": "expires_on",
                    "label": str(_("Expiration date")),
                    "old": "",
                    "new": format_date(until),
                }
            ],
            summary=str(
                _(
                    "Extended %(extended)d promotional codes until %(until)s "
                    "(%(reactivated)d reactivated, %(skipped)d deleted skipped)."
                )
                % {
                    "extended": result.extended,
                    "until": format_date(until),
                    "reactivated": result.reactivated,
                    "skipped": result.skipped_deleted,
                }
            ),
        )
    return result


def soft_delete(site: Site, codes: QuerySet, actor) -> int:
    """Mark the selected codes Deleted (one UPDATE); their rows, uses and history stay."""
    codes = codes.for_site(site).order_by()
    with transaction.atomic():
        deleted = codes.exclude(status=Status.DELETED).update(status=Status.DELETED)
        record(
            site,
            actor,
            "promocodes.delete",
            [{"field": "status", "label": str(_("Status")), "old": "", "new": "deleted"}],
            summary=ngettext(
                "Deleted %(count)d promotional code.",
                "Deleted %(count)d promotional codes.",
                deleted,
            )
            % {"count": deleted},
        )
    return deleted

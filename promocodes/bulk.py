"""The report's bulk actions: extend the expiration date, delete (one UPDATE each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.date_display import format_date
from sites.history import Span, field_change, record
from sites.models import Site
from sites.money import format_number

from .models import PromoCode, Status


@dataclass(frozen=True)
class ExtendResult:
    extended: int
    reactivated: int
    skipped_deleted: int


def extend_expiry(site: Site, codes: QuerySet, until: date, actor) -> ExtendResult:
    """Set the expiration date of the selected codes to ``until`` (one UPDATE).

    Deleted codes are skipped and counted; expired codes become active again (``until`` is
    never in the past). Codes already active until ``until`` count as extended but are not
    rewritten (an UPDATE writes a new row version even when nothing changes). One revision
    records the action.
    """
    if until < site.today():
        raise ValueError("cannot extend into the past")
    codes = codes.for_site(site).order_by()
    live = ~Q(status=Status.DELETED)
    with transaction.atomic():
        counts = codes.aggregate(
            deleted=Count("pk", filter=Q(status=Status.DELETED)),
            expired=Count("pk", filter=Q(status=Status.EXPIRED)),
            unchanged=Count("pk", filter=live & Q(expires_on=until) & ~Q(status=Status.EXPIRED)),
            first=Min("expires_on", filter=live),
            last=Max("expires_on", filter=live),
        )
        changed = (
            codes.filter(live)
            .exclude(Q(expires_on=until) & ~Q(status=Status.EXPIRED))
            .update(
                expires_on=until,
                status=Case(
                    When(status=Status.EXPIRED, then=Value(Status.ACTIVE)), default=F("status")
                ),
            )
        )
        extended = changed + counts["unchanged"]
        result = ExtendResult(extended, min(counts["expired"], extended), counts["deleted"])
        if not extended:
            return result
        record(
            site,
            actor,
            "promocodes.extend",
            [
                field_change(
                    PromoCode._meta.get_field("expires_on"),
                    Span(counts["first"], counts["last"]),
                    until,
                )
            ],
            summary=lambda: str(
                _(
                    "Extended %(extended)s promotional codes until %(until)s "
                    "(%(reactivated)s reactivated, %(skipped)s deleted skipped)."
                )
                % {
                    "extended": format_number(result.extended),
                    "until": format_date(until),
                    "reactivated": format_number(result.reactivated),
                    "skipped": format_number(result.skipped_deleted),
                }
            ),
        )
    return result


def soft_delete(site: Site, codes: QuerySet, actor) -> int:
    """Mark the selected codes Deleted (one UPDATE); their rows, uses and history stay."""
    codes = codes.for_site(site).order_by()
    with transaction.atomic():
        before = sorted(
            codes.exclude(status=Status.DELETED).values_list("status", flat=True).distinct()
        )
        deleted = codes.exclude(status=Status.DELETED).update(status=Status.DELETED)
        if not deleted:
            return 0
        record(
            site,
            actor,
            "promocodes.delete",
            [field_change(PromoCode._meta.get_field("status"), before, [Status.DELETED])],
            summary=lambda: (
                ngettext(
                    "Deleted %(count)s promotional code.",
                    "Deleted %(count)s promotional codes.",
                    deleted,
                )
                % {"count": format_number(deleted)}
            ),
        )
    return deleted

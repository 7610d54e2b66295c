"""The Transactions report's CSV export, and the bulk deletion of test payments.

The report's rows, totals and pages are reads: ``selectors.filtered_payments``,
``report_totals``, ``report_page``. Here: ``csv_download`` (the rows of a filtered queryset
from one server-side cursor, streamed flat in memory by ``sites.csv``) and
``delete_test_payments`` — the only way payments are ever deleted, and only test ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from promocodes import redemption
from promocodes.models import PromoCodeUse
from sites import history
from sites.csv import CSV_DATETIME, blocks, csv_response, safe_cell
from sites.models import Site
from sites.money import format_number

from .models import OPEN_STATUSES, Payment, PaymentMethod, PaymentStatus

CSV_CHUNK_ROWS = 2000


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "created_at",
    "attendee_name",
    "attendee_email",
    "session__title",
    "fee",
    "discount",
    "amount",
    "refunded_amount",
    "currency",
    "status",
    "method",
    "card_brand",
    "card_last4",
    "gateway_reference",
    "is_test",
    "id",
    "reversed_amount",  # last, so that the columns before it keep their places
)


def csv_header() -> list[str]:
    return [
        _("Date"),
        _("Attendee"),
        _("E-mail"),
        _("Session"),
        _("Fee"),
        _("Discount"),
        _("Amount"),
        _("Refunded"),
        _("Currency"),
        _("Status"),
        _("Method"),
        _("Card"),
        _("PayPal reference"),
        _("Test"),
        _("ID"),
        _("Reversed"),
    ]


def csv_rows(site: Site, payments: QuerySet[Payment]) -> Iterator[list[str]]:
    """The report's rows (newest first) as text cells, from one server-side cursor.

    Every free-text cell goes through ``safe_cell``: a value a spreadsheet would run as a
    formula (``= + - @``, tab, CR) is prefixed with a quote.
    """
    tz = site.tzinfo
    statuses = {value: str(label) for value, label in PaymentStatus.choices}
    methods = {value: str(label) for value, label in PaymentMethod.choices}
    test_label, live_label = _("Test"), ""
    rows = (
        payments.order_by("-created_at", "-id")
        .values_list(*CSV_COLUMNS)
        .iterator(chunk_size=CSV_CHUNK_ROWS)
    )
    for (
        created_at,
        name,
        email,
        title,
        fee,
        discount,
        amount,
        refunded,
        currency,
        status,
        method,
        brand,
        last4,
        reference,
        is_test,
        pk,
        reversed_,
    ) in rows:
        card = f"{brand} •••• {last4}" if last4 else brand
        yield [
            created_at.astimezone(tz).strftime(CSV_DATETIME),
            safe_cell(name),
            safe_cell(email),
            safe_cell(title or ""),
            f"{fee:.2f}",
            f"{discount:.2f}",
            f"{amount:.2f}",
            f"{refunded:.2f}",
            safe_cell(currency),
            statuses.get(status, status),
            methods.get(method, method),
            safe_cell(card),
            safe_cell(reference),
            test_label if is_test else live_label,
            str(pk),
            f"{reversed_:.2f}",
        ]


def csv_download(site: Site, payments: QuerySet[Payment]) -> StreamingHttpResponse:
    """*Export CSV* of the report (console and API): ``transactions-<site>-<stamp>.csv``."""
    return csv_response(
        site, f"transactions-{site.slug}", csv_header(), blocks(csv_rows(site, payments))
    )


# --- Deleting test payments --------------------------------------------------------------------

# A payment still in progress may be settled by the payment page or the worker at any moment:
# deleting it under their feet would lose that outcome. It becomes deletable once final.
IN_PROGRESS = OPEN_STATUSES


@dataclass(frozen=True)
class DeleteResult:
    deleted: int
    kept_in_progress: int


def delete_test_payments(site: Site, payments: QuerySet[Payment], actor) -> DeleteResult:
    """Delete the **test** payments among ``payments`` (of ``site``), with their refunds and
    registrations, and record one revision.

    Whatever ``payments`` holds, only ``is_test=True`` rows of this site that are no longer in
    progress are touched. The rows are locked first; their promo code uses are given back
    (``promocodes.redemption.release``: only the few payments that hold one); then each
    dependent table and the payments go in one DELETE each, all in one transaction.
    """
    scoped = payments.filter(site=site, is_test=True)
    with transaction.atomic():
        kept = scoped.filter(status__in=IN_PROGRESS).count()
        ids = list(
            scoped.exclude(status__in=IN_PROGRESS)
            .order_by()
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        if not ids:
            return DeleteResult(0, kept)
        for use in PromoCodeUse.objects.filter(payment__pk__in=ids, released_at__isnull=True):
            redemption.release(use)
        _delete_dependents(ids)
        deleted = Payment.objects.filter(pk__in=ids)._raw_delete(Payment.objects.db)
        history.record(
            site,
            actor,
            "transactions.delete_test",
            [],
            summary=lambda: (
                ngettext("Deleted %(n)s test payment.", "Deleted %(n)s test payments.", deleted)
                % {"n": format_number(deleted)}
            ),
        )
    return DeleteResult(deleted, kept)


def _delete_dependents(payment_ids: list[int]) -> None:
    """What the database would cascade, set-based: every model pointing at ``Payment``
    (refunds, registrations, and any added later) is deleted or unlinked with one statement
    per table. ``PROTECT`` relations are honoured: the deletion then fails as a whole."""
    for relation in Payment._meta.related_objects:
        if not isinstance(relation.field, models.ForeignKey) or relation.field.model is Payment:
            continue
        related = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": payment_ids}
        )
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            related.delete()
        elif on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT) and related.exists():
            raise models.ProtectedError(
                f"{relation.related_model.__name__} rows refer to these payments", set()
            )

"""Reads of promotional codes: the code an attendee typed, may it be used, and the report.

Redemption reads (the payment page's contract with ``promocodes.redemption``):

``find_code(site, code_text) -> PromoCode | None``
    The site's code with this text, whatever its case and surrounding spaces.
``check(site, code_text, session) -> CheckResult``
    Read-only. ``result.ok`` or ``result.refusal`` (a :class:`Refusal`: unknown, deleted,
    expired, used up, not applicable — checked in that order) with ``result.message`` for the
    attendee. ``result.code`` is the code found (``None`` when unknown).

Report reads: filters, keyset pages, a bounded count. Every page costs the same few queries
at any size and depth: the rows (``LIMIT page + 1`` from an index in ``(created_at, id)``
order, starting after a cursor), their sessions, and a count that stops at
``COUNT_LIMIT + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from sites import inputs
from sites.models import Session, Site

from . import codegen, dialect
from .models import (
    SEARCH_SEPARATOR,
    AppliesTo,
    CreationBatch,
    PromoCode,
    PromoCodeSession,
    Status,
)

PAGE_SIZE = 50
COUNT_LIMIT = 10_000


# --- Redemption reads --------------------------------------------------------------------


class Refusal:
    """Why a code cannot be used; ``Refusal.MESSAGES[reason]`` is what the attendee reads."""

    UNKNOWN = "unknown"
    DELETED = "deleted"
    EXPIRED = "expired"
    USED_UP = "used_up"
    NOT_APPLICABLE = "not_applicable"

    MESSAGES = {
        UNKNOWN: _("This promo code does not exist."),
        DELETED: _("This promo code has been deleted."),
        EXPIRED: _("This promo code has expired."),
        USED_UP: _("This promo code has been used up."),
        NOT_APPLICABLE: _("This promo code does not apply to this session."),
    }


@dataclass(frozen=True)
class CheckResult:
    code: PromoCode | None
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def message(self) -> str:
        return "" if self.refusal is None else str(Refusal.MESSAGES[self.refusal])


def find_code(site: Site, code_text: str) -> PromoCode | None:
    """The site's code with this text, whatever its case (uses the unique index).

    The one case-insensitive lookup of a code: the payment page and the *Create* form's
    "already exists" check both use it.
    """
    text = codegen.normalize(code_text)
    if not text or len(text) > codegen.CODE_MAX_LENGTH:
        return None
    return (
        PromoCode.objects.for_site(site)
        .alias(code_upper=Upper("code"))
        .filter(code_upper=text.upper())
        .first()
    )


def applies_to_session(code: PromoCode, session: Session) -> bool:
    if session.site_id != code.site_id or session.service != code.service:
        return False
    if code.applies_to == AppliesTo.KIND:
        return session.kind == code.kind
    if code.applies_to == AppliesTo.SESSIONS:
        return PromoCodeSession.objects.filter(promo_code=code, session=session).exists()
    return True


def evaluate(code: PromoCode | None, session: Session, today: date) -> CheckResult:
    """The refusal (or none) for ``code`` as loaded, ``today`` being the site's date."""
    if code is None:
        return CheckResult(None, Refusal.UNKNOWN)
    if code.status == Status.DELETED:
        return CheckResult(code, Refusal.DELETED)
    if code.status == Status.EXPIRED or code.expires_on < today:
        return CheckResult(code, Refusal.EXPIRED)
    if code.status == Status.USED_UP or (code.max_uses is not None and code.uses >= code.max_uses):
        return CheckResult(code, Refusal.USED_UP)
    if not applies_to_session(code, session):
        return CheckResult(code, Refusal.NOT_APPLICABLE)
    return CheckResult(code)


def check(site: Site, code_text: str, session: Session) -> CheckResult:
    """May this code be used for this session now? Read-only; see the module docstring."""
    return evaluate(find_code(site, code_text), session, site.today())


# --- Report ------------------------------------------------------------------------------


def contains_filter(site: Site, codes: QuerySet[PromoCode], text: str) -> QuerySet[PromoCode]:
    """Code, recipient name or e-mail contains ``text``, whatever the case.

    PostgreSQL searches the trigram-indexed search table, other databases the three columns
    (``pg.contains_filter``, ``portable.contains_filter``).
    """
    text = text.strip().replace(SEARCH_SEPARATOR, "")
    if not text:
        return codes
    return dialect.current().contains_filter(site, codes, text)


@dataclass(frozen=True)
class ReportFilters:
    service: str
    status: str = ""
    created_from: date | None = None
    created_to: date | None = None
    expires_from: date | None = None
    expires_to: date | None = None
    contains: str = ""
    batch: int | None = None


def _start_of_day(day: date, site: Site) -> datetime:
    return datetime.combine(day, time.min, tzinfo=site.tzinfo)


def filtered_codes(site: Site, filters: ReportFilters) -> QuerySet[PromoCode]:
    """The site's codes matching the report parameters (dates are the site's local days).

    A rare status is one range of its partial index; the common status and an expiry range
    are filtered in the report index's order (no index is keyed on expiry, see ``PromoCode``).
    """
    codes = PromoCode.objects.for_site(site).filter(service=filters.service)
    if filters.status:
        codes = codes.filter(status=filters.status)
    if filters.created_from:
        codes = codes.filter(created_at__gte=_start_of_day(filters.created_from, site))
    if filters.created_to:
        next_day = filters.created_to + timedelta(days=1)
        codes = codes.filter(created_at__lt=_start_of_day(next_day, site))
    if filters.expires_from:
        codes = codes.filter(expires_on__gte=filters.expires_from)
    if filters.expires_to:
        codes = codes.filter(expires_on__lte=filters.expires_to)
    codes = contains_filter(site, codes, filters.contains)
    if filters.batch:
        batch = CreationBatch.objects.for_site(site).filter(pk=filters.batch).first()
        codes = codes.none() if batch is None else codes & codes_of_batch(batch)
    return codes


def single_code_of(batch: CreationBatch) -> str:
    """The code a finished creation of one code made (shown on its confirmation), else ``""``."""
    if batch.total != 1 or batch.state != CreationBatch.State.DONE:
        return ""
    return codes_of_batch(batch).values_list("code", flat=True).first() or ""


def codes_of_batch(batch: CreationBatch) -> QuerySet[PromoCode]:
    """The codes a creation made.

    A batch's codes were created between its start and its end, so the report's
    ``(site, service, created_at, id)`` index narrows the search to that window; no index on
    ``batch_id`` is needed (one index fewer to maintain on every insert).
    """
    codes = PromoCode.objects.filter(
        site_id=batch.site_id,
        service=batch.service,
        batch_id=batch.pk,
        created_at__gte=batch.created_at,
    )
    if batch.finished_at is not None:
        codes = codes.filter(created_at__lte=batch.finished_at)
    return codes


# --- Keyset pagination -------------------------------------------------------------------


def encode_cursor(code: PromoCode) -> str:
    """The keyset position of ``code`` (read back by ``sites.inputs.decode_cursor``, which
    answers ``None`` — the first page — for a malformed or out-of-range cursor)."""
    return inputs.encode_cursor(code.created_at, code.pk)


@dataclass
class ReportPage:
    rows: list[PromoCode]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    numbered: list = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        """False when every matching code is on this page (no page controls to show)."""
        return self.has_next or self.has_previous


def _key():
    return Tuple(F("created_at"), F("id"))


def report_page(
    codes: QuerySet[PromoCode],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> ReportPage:
    """One page, newest first: after a cursor (next), before one (previous), or the first.

    At most two queries whatever the page: the rows (an index range scan thanks to the
    row-value comparison ``(created_at, id) < (…)``) and, only when the page holds codes
    limited to chosen sessions, those codes' sessions (``code.sessions.all()`` is loaded for
    them alone: read it only when ``applies_to`` is ``sessions``).
    """
    after_key, before_key = inputs.decode_cursor(after), inputs.decode_cursor(before)
    if before_key is not None:
        rows = list(
            codes.filter(TupleGreaterThan(_key(), before_key)).order_by("created_at", "id")[
                : size + 1
            ]
        )
        more_before = len(rows) > size
        rows = _with_sessions(rows[:size][::-1])
        page = ReportPage(rows)
        page.next_cursor = encode_cursor(rows[-1]) if rows else None
        page.previous_cursor = encode_cursor(rows[0]) if rows and more_before else None
        if not rows:
            return report_page(codes, size=size)
        return page
    query = codes
    if after_key is not None:
        query = query.filter(TupleLessThan(_key(), after_key))
    rows = list(query.order_by("-created_at", "-id")[: size + 1])
    more_after = len(rows) > size
    rows = _with_sessions(rows[:size])
    page = ReportPage(rows)
    page.next_cursor = encode_cursor(rows[-1]) if rows and more_after else None
    page.previous_cursor = encode_cursor(rows[0]) if rows and after_key is not None else None
    return page


def _with_sessions(rows: list[PromoCode]) -> list[PromoCode]:
    """``rows``, the sessions of those limited to chosen sessions loaded in one query (none
    when no row is)."""
    limited = [code for code in rows if code.applies_to == AppliesTo.SESSIONS]
    if limited:
        sessions = Prefetch("sessions", queryset=Session.objects.only("id", "title", "site_id"))
        prefetch_related_objects(limited, sessions)
    return rows


def codes_by_id(site: Site, ids: list[int]) -> QuerySet[PromoCode]:
    """The site's codes of ``ids``: a filtered set already listed whole, read again by its
    primary keys instead of by its filters."""
    return PromoCode.objects.for_site(site).filter(pk__in=ids)


def bounded_count(codes: QuerySet[PromoCode], limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """``(count, more)``: the exact count up to ``limit``, else ``(limit, True)``."""
    count = codes.order_by()[: limit + 1].count()
    return (limit, True) if count > limit else (count, False)

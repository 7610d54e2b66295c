"""Writes on promotional codes: creation, bulk actions, expiry, and the redemption contract.

Redemption contract (used by the payment page; ``payments`` imports this module, never the
other way round):

``check(site, code_text, session) -> CheckResult``
    Read-only. ``result.ok`` or ``result.refusal`` (a :class:`Refusal`: unknown, deleted,
    expired, used up, not applicable — checked in that order) with ``result.message`` for the
    attendee. ``result.code`` is the code found (``None`` when unknown).
``discount_for(code, fee) -> Decimal``
    The discount on ``fee`` (2 decimals, half-up), never negative and never more than the fee.
``redeem(site, code_text, session, *, reference) -> PromoCodeUse``
    Takes one use atomically or raises :class:`PromoCodeRefused` (``exc.refusal``). One
    conditional UPDATE decides (``uses < max_uses``, status active, not expired in the site's
    time zone): N allowed uses are granted at most N times under any concurrency. Idempotent
    per ``(code, reference)``: the same reference gets the same :class:`PromoCodeUse` back.
    Safe inside the caller's transaction (it then rolls back with it).
``release(redemption) -> bool``
    Gives the use back (payment declined or failed); idempotent, ``True`` the first time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sites.history import Span, build, field_change, record
from sites.models import Revision, Session, Site

from . import codegen
from .models import (
    AppliesTo,
    CreationBatch,
    DiscountType,
    PromoCode,
    PromoCodeSession,
    PromoCodeUse,
    Status,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Above this many codes, creation runs as a Celery task with a progress bar.
SYNC_CREATION_LIMIT = 500
GENERATION_CHUNK = 10_000
MAX_COLLISION_ROUNDS = 20


def site_today(site: Site, at: datetime | None = None) -> date:
    """The current date in the site's time zone."""
    return (at or timezone.now()).astimezone(site.tzinfo).date()


# --- Creation ----------------------------------------------------------------------------


class CodeAlreadyExists(Exception):
    """A typed-in code is already used in this site (whatever its case)."""


class CodeSpaceExhausted(Exception):
    """Too few unused codes of the requested length remain: choose a longer length."""


def start_creation(site: Site, actor, params: dict) -> CreationBatch:
    """Record one *Create* and run it: at once when small, else as a Celery task.

    ``params`` (JSON-serializable, as built by ``CreatePromoCodesForm.creation_params``):
    ``service``, ``code_length``, ``quantity``, ``custom_code`` ("" for generated codes),
    ``recipients`` (list of ``[email, name]``), ``max_uses`` (``None`` = unlimited),
    ``discount_type``, ``discount_value`` (str), ``expires_on`` (ISO date), ``applies_to``,
    ``kind``, ``session_ids``.

    A small creation happens inside the caller's transaction (all or nothing) and raises
    :class:`CodeAlreadyExists` for a taken custom code. A large one is queued after commit.
    """
    if params.get("custom_code"):
        total = 1
    elif params.get("recipients"):
        total = len(params["recipients"])
    else:
        total = int(params["quantity"])
    with transaction.atomic():
        batch = CreationBatch.objects.create(
            site=site,
            service=params["service"],
            created_by=actor if getattr(actor, "pk", None) else None,
            total=total,
            params=params,
        )
        if total <= SYNC_CREATION_LIMIT:
            generate_batch_codes(batch)
        else:
            from .tasks import generate_batch

            batch_id = batch.pk
            transaction.on_commit(lambda: generate_batch.delay(batch_id))
    return batch


def generate_batch_codes(batch: CreationBatch | int, *, chunk_size: int = GENERATION_CHUNK):
    """Create the codes of a batch, in chunks committed one by one; resumable and idempotent.

    Each chunk locks the batch row, inserts its codes and advances ``done`` in one
    transaction, so a retried (or duplicated) task carries on where the last commit stopped
    and never creates more than ``total``. Codes are inserted set-based (PostgreSQL: one
    ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING`` per chunk); the few
    generated codes that collide with existing ones are drawn again.
    """
    batch_id = batch.pk if isinstance(batch, CreationBatch) else batch
    batch = CreationBatch.objects.select_related("site").get(pk=batch_id)
    if batch.state == CreationBatch.State.DONE:
        return batch
    CreationBatch.objects.filter(pk=batch_id).update(state=CreationBatch.State.RUNNING)
    recipients = [tuple(r) for r in batch.params.get("recipients") or []]
    custom = batch.params.get("custom_code") or ""
    while True:
        with transaction.atomic():
            done = CreationBatch.objects.select_for_update().values_list("done", flat=True)
            done = done.get(pk=batch_id)
            if done >= batch.total:
                break
            if custom:
                _insert_custom_code(batch, custom)
                size = 1
            else:
                size = min(chunk_size, batch.total - done)
                chunk = recipients[done : done + size] if recipients else [("", "")] * size
                _insert_generated_codes(batch, chunk)
            CreationBatch.objects.filter(pk=batch_id).update(done=done + size)
    with transaction.atomic():
        finished = (
            CreationBatch.objects.filter(pk=batch_id)
            .exclude(state=CreationBatch.State.DONE)
            .update(state=CreationBatch.State.DONE, finished_at=timezone.now(), error="")
        )
        if finished:
            record(
                batch.site,
                batch.created_by,
                "promocodes.create",
                [],
                summary=lambda: (
                    ngettext(
                        "Created %(count)d promotional code (%(service)s).",
                        "Created %(count)d promotional codes (%(service)s).",
                        batch.total,
                    )
                    % {"count": batch.total, "service": batch.get_service_display()}
                ),
            )
            if any(email for email, _name in recipients):
                from .tasks import send_batch_emails

                transaction.on_commit(lambda: send_batch_emails.delay(batch_id))
    batch.refresh_from_db()
    return batch


def _code_fields(batch: CreationBatch) -> dict:
    p = batch.params
    return {
        "site_id": batch.site_id,
        "service": p["service"],
        "max_uses": p.get("max_uses"),
        "uses": 0,
        "discount_type": p["discount_type"],
        "discount_value": Decimal(p["discount_value"]),
        "expires_on": date.fromisoformat(p["expires_on"]),
        "status": Status.ACTIVE,
        "applies_to": p.get("applies_to") or AppliesTo.ALL,
        "kind": (p.get("kind") or "") if p.get("applies_to") == AppliesTo.KIND else "",
        "batch_id": batch.pk,
        "created_at": timezone.now(),
        "created_by_id": batch.created_by_id,
    }


def _session_ids(batch: CreationBatch) -> list[int]:
    if batch.params.get("applies_to") != AppliesTo.SESSIONS:
        return []
    # Only sessions of this site and service, whatever the parameters say.
    return list(
        Session.objects.for_site(batch.site)
        .filter(pk__in=batch.params.get("session_ids") or [], service=batch.params["service"])
        .values_list("pk", flat=True)
    )


def _insert_custom_code(batch: CreationBatch, code: str) -> PromoCode:
    fields = _code_fields(batch)
    recipients = batch.params.get("recipients") or []
    email, name = recipients[0] if recipients else ("", "")
    try:
        with transaction.atomic():
            promo = PromoCode.objects.create(
                code=code, recipient_email=email, recipient_name=name, **fields
            )
    except IntegrityError as exc:
        # The unique constraint on (site, UPPER(code)) is the backstop of the form's check.
        raise CodeAlreadyExists(code) from exc
    PromoCodeSession.objects.bulk_create(
        PromoCodeSession(promo_code=promo, session_id=sid) for sid in _session_ids(batch)
    )
    return promo


def _insert_generated_codes(batch: CreationBatch, recipients: list[tuple[str, str]]) -> None:
    """Insert one code per ``(email, name)`` entry, drawing again the codes that collide."""
    length = int(batch.params.get("code_length") or codegen.DEFAULT_LENGTH)
    fields = _code_fields(batch)
    session_ids = _session_ids(batch)
    pending = list(recipients)
    for _round in range(MAX_COLLISION_ROUNDS):
        if not pending:
            return
        codes = codegen.generate(length, len(pending))
        rows = [(code, email, name) for code, (email, name) in zip(codes, pending, strict=True)]
        inserted = _insert_rows(fields, rows)
        if session_ids and inserted:
            _link_sessions(list(inserted.values()), session_ids)
        pending = [(email, name) for code, email, name in rows if code not in inserted]
    raise CodeSpaceExhausted(length)


def _insert_rows(fields: dict, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """Insert codes, skipping the ones that already exist; returns ``{code: id}`` inserted."""
    if connection.vendor == "postgresql":
        return _insert_rows_postgresql(fields, rows)
    objs = [
        PromoCode(code=code, recipient_email=email, recipient_name=name, **fields)
        for code, email, name in rows
    ]
    PromoCode.objects.bulk_create(objs, ignore_conflicts=True, batch_size=500)
    inserted: dict[str, int] = {}
    codes = [code for code, _e, _n in rows]
    for start in range(0, len(codes), 500):
        inserted.update(
            PromoCode.objects.filter(
                batch_id=fields["batch_id"], code__in=codes[start : start + 500]
            ).values_list("code", "pk")
        )
    return inserted


def _insert_rows_postgresql(fields: dict, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """One ``INSERT … SELECT FROM unnest(…)`` for the chunk.

    Codes already taken are filtered out first by one lookup on the unique index: a plain
    INSERT is much cheaper than ``ON CONFLICT`` (no speculative insertion per row). A code
    taken concurrently in between makes the INSERT fail; the chunk is then inserted again with
    ``ON CONFLICT DO NOTHING``.
    """
    table = PromoCode._meta.db_table
    with connection.cursor() as cursor:
        # A LATERAL probe per code: index lookups on the unique index, where the planner
        # would rather hash the whole table for "= ANY(10,000 values)".
        cursor.execute(
            "SELECT t.code FROM unnest(%s::text[]) AS t(code) CROSS JOIN LATERAL "  # noqa: S608
            f"(SELECT 1 FROM {table} AS p WHERE p.site_id = %s "
            "AND UPPER(p.code) = t.code LIMIT 1) AS taken",
            [[row[0].upper() for row in rows], fields["site_id"]],
        )
        taken = {code for (code,) in cursor.fetchall()}
    if taken:
        rows = [row for row in rows if row[0].upper() not in taken]
    if not rows:
        return {}
    try:
        with transaction.atomic():
            return _insert_unnest(table, fields, rows, on_conflict="")
    except IntegrityError:
        return _insert_unnest(table, fields, rows, on_conflict="ON CONFLICT DO NOTHING")


_INSERT_COLUMNS = (
    "site_id",
    "service",
    "max_uses",
    "uses",
    "discount_type",
    "discount_value",
    "expires_on",
    "status",
    "applies_to",
    "kind",
    "batch_id",
    "created_at",
    "created_by_id",
)


def _insert_unnest(table: str, fields: dict, rows, on_conflict: str) -> dict[str, int]:
    constants = ", ".join(f"%({name})s" for name in _INSERT_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}, code, recipient_email, "  # noqa: S608
        f"recipient_name) SELECT {constants}, t.code, t.email, t.name "
        "FROM unnest(%(codes)s::varchar[], %(emails)s::varchar[], %(names)s::varchar[]) "
        f"AS t(code, email, name) {on_conflict} RETURNING code, id"
    )
    params = {name: fields[name] for name in _INSERT_COLUMNS}
    params["codes"] = [r[0] for r in rows]
    params["emails"] = [r[1] for r in rows]
    params["names"] = [r[2] for r in rows]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _link_sessions(code_ids: list[int], session_ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        table = PromoCodeSession._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (promo_code_id, session_id) "  # noqa: S608 - our table name
                "SELECT c, s FROM unnest(%s::bigint[]) AS c CROSS JOIN unnest(%s::bigint[]) AS s",
                [code_ids, session_ids],
            )
        return
    PromoCodeSession.objects.bulk_create(
        (PromoCodeSession(promo_code_id=c, session_id=s) for c in code_ids for s in session_ids),
        batch_size=500,
    )


def mark_batch_failed(batch_id: int, error: str) -> None:
    CreationBatch.objects.filter(pk=batch_id).exclude(state=CreationBatch.State.DONE).update(
        state=CreationBatch.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# --- Bulk actions from the report --------------------------------------------------------


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
    if until < site_today(site):
        raise ValueError("cannot extend into the past")
    codes = codes.for_site(site).order_by()
    with transaction.atomic():
        counts = codes.aggregate(
            deleted=Count("pk", filter=Q(status=Status.DELETED)),
            expired=Count("pk", filter=Q(status=Status.EXPIRED)),
            first=Min("expires_on", filter=~Q(status=Status.DELETED)),
            last=Max("expires_on", filter=~Q(status=Status.DELETED)),
        )
        extended = codes.exclude(status=Status.DELETED).update(
            expires_on=until,
            status=Case(
                When(status=Status.EXPIRED, then=Value(Status.ACTIVE)), default=F("status")
            ),
        )
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
                    "Extended %(extended)d promotional codes until %(until)s "
                    "(%(reactivated)d reactivated, %(skipped)d deleted skipped)."
                )
                % {
                    "extended": result.extended,
                    "until": until.strftime("%d/%m/%Y"),
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
                    "Deleted %(count)d promotional code.",
                    "Deleted %(count)d promotional codes.",
                    deleted,
                )
                % {"count": deleted}
            ),
        )
    return deleted


# --- Expiry ------------------------------------------------------------------------------


def expire_due_codes(at: datetime | None = None) -> dict[int, int]:
    """Mark Expired every active code whose expiration day is over in its site's time zone.

    One set-based UPDATE on PostgreSQL (joined with the sites' time zones); idempotent; one
    revision per site that had codes expire. Returns ``{site_id: count}``.
    """
    at = at or timezone.now()
    # No time zone is ahead of UTC+14: codes expiring on or after this date are never due.
    latest_due = (at + timedelta(hours=14)).date()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            counts = _expire_postgresql(at, latest_due)
        else:
            counts = _expire_portable(at, latest_due)
        if counts:
            Revision.objects.bulk_create(
                build(
                    site_id,
                    None,
                    "promocodes.expiry",
                    [
                        field_change(
                            PromoCode._meta.get_field("status"), Status.ACTIVE, Status.EXPIRED
                        )
                    ],
                    summary=lambda count=count: (
                        ngettext(
                            "%(count)d promotional code expired.",
                            "%(count)d promotional codes expired.",
                            count,
                        )
                        % {"count": count}
                    ),
                )
                for site_id, count in sorted(counts.items())
            )
    logger.info(
        "promo code expiry at %s: %d expired %s", at.isoformat(), sum(counts.values()), counts
    )
    return counts


def _expire_postgresql(at: datetime, latest_due: date) -> dict[int, int]:
    table = PromoCode._meta.db_table
    site_table = Site._meta.db_table
    sql = (
        f"WITH expired AS (UPDATE {table} AS p SET status = %(expired)s "  # noqa: S608 - our tables
        f"FROM {site_table} AS s WHERE p.site_id = s.id AND p.status = %(active)s "
        "AND p.expires_on < %(latest_due)s "
        "AND p.expires_on < (%(at)s::timestamptz AT TIME ZONE s.time_zone)::date "
        "RETURNING p.site_id) SELECT site_id, count(*) FROM expired GROUP BY site_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "expired": Status.EXPIRED,
                "active": Status.ACTIVE,
                "latest_due": latest_due,
                "at": at,
            },
        )
        return dict(cursor.fetchall())


def _expire_portable(at: datetime, latest_due: date) -> dict[int, int]:
    """Other databases (the SQLite demo): one UPDATE per site that has candidates."""
    counts = {}
    candidate_sites = Site.objects.filter(
        pk__in=PromoCode.objects.filter(status=Status.ACTIVE, expires_on__lt=latest_due).values(
            "site_id"
        )
    )
    for site in candidate_sites:
        count = (
            PromoCode.objects.for_site(site)
            .filter(status=Status.ACTIVE, expires_on__lt=site_today(site, at))
            .update(status=Status.EXPIRED)
        )
        if count:
            counts[site.pk] = count
    return counts


# --- Redemption (the payment page's contract) --------------------------------------------


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


class PromoCodeRefused(Exception):
    def __init__(self, refusal: str):
        super().__init__(refusal)
        self.refusal = refusal

    @property
    def message(self) -> str:
        return str(Refusal.MESSAGES[self.refusal])


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
    """The site's code with this text, whatever its case (uses the unique index)."""
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


def _evaluate(site: Site, code: PromoCode | None, session: Session, today: date) -> CheckResult:
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
    return _evaluate(site, find_code(site, code_text), session, site_today(site))


def discount_for(code: PromoCode, fee: Decimal) -> Decimal:
    """The discount this code gives on ``fee``: 2 decimals, half-up, between 0 and the fee."""
    fee = Decimal(fee)
    if fee <= 0:
        return Decimal("0.00")
    if code.discount_type == DiscountType.PERCENT:
        discount = (fee * code.discount_value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        discount = Decimal(code.discount_value).quantize(CENT)
    return max(Decimal("0.00"), min(discount, fee.quantize(CENT, rounding=ROUND_HALF_UP)))


def redeem(site: Site, code_text: str, session: Session, *, reference: str) -> PromoCodeUse:
    """Take one use of the code for ``session`` or raise :class:`PromoCodeRefused`.

    The read before the UPDATE only finds the code and explains a refusal; the decision is the
    conditional UPDATE itself, which PostgreSQL re-evaluates on the latest row version when
    two redemptions race, so a code with N uses is granted at most N times.
    """
    reference = str(reference)[:100]
    try:
        with transaction.atomic():
            result = check(site, code_text, session)
            if result.code is not None:
                existing = PromoCodeUse.objects.filter(
                    promo_code=result.code, reference=reference, released_at__isnull=True
                ).first()
                if existing is not None:
                    return existing
            if not result.ok:
                raise PromoCodeRefused(result.refusal)
            code = result.code
            taken = (
                PromoCode.objects.filter(
                    pk=code.pk, status=Status.ACTIVE, expires_on__gte=site_today(site)
                )
                .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
                .update(
                    uses=F("uses") + 1,
                    status=Case(
                        When(
                            max_uses__isnull=False,
                            max_uses__lte=F("uses") + 1,
                            then=Value(Status.USED_UP),
                        ),
                        default=F("status"),
                    ),
                )
            )
            if not taken:
                # Lost a race (or the code changed meanwhile): say why, from the row as it is.
                code.refresh_from_db()
                refusal = _evaluate(site, code, session, site_today(site)).refusal
                raise PromoCodeRefused(refusal or Refusal.USED_UP)
            return PromoCodeUse.objects.create(
                promo_code=code, session=session, reference=reference
            )
    except IntegrityError:
        # The same reference redeemed concurrently: that one holds the use.
        existing = PromoCodeUse.objects.filter(
            promo_code__site=site, reference=reference, released_at__isnull=True
        ).filter(promo_code=find_code(site, code_text))
        use = existing.first()
        if use is None:
            raise
        return use


def release(redemption: PromoCodeUse) -> bool:
    """Give a use back (payment not completed). Idempotent: ``True`` only the first time."""
    with transaction.atomic():
        released = PromoCodeUse.objects.filter(pk=redemption.pk, released_at__isnull=True).update(
            released_at=timezone.now()
        )
        if released:
            PromoCode.objects.filter(pk=redemption.promo_code_id, uses__gt=0).update(
                uses=F("uses") - 1,
                status=Case(
                    When(status=Status.USED_UP, then=Value(Status.ACTIVE)), default=F("status")
                ),
            )
    return bool(released)

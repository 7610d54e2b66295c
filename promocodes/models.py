"""Promotional codes: the codes themselves, how they were created, their uses and e-mails.

Status is stored, not derived, so that every report filter is an indexed equality:

* ``active``   → may be redeemed (the redemption still checks uses and the date itself);
* ``used_up``  → set by the redemption that takes the last allowed use, back to ``active``
  when a use is released;
* ``expired``  → set by the expiry sweep once the expiration day is over in the site's time
  zone; back to ``active`` when the code is extended into the future;
* ``deleted``  → soft delete, final: the row, its uses and its history stay.

The sweep only expires ``active`` codes: a used-up code keeps saying "used up".
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites import dates
from sites.models import Service, Session, SessionKind, Site, SiteScopedQuerySet

MAX_FIXED_DISCOUNT = Decimal("999999.99")
CODE_MAX_LENGTH = 20


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    USED_UP = "used_up", _("Used up")
    EXPIRED = "expired", _("Expired")
    DELETED = "deleted", _("Deleted")


class DiscountType(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    PERCENT = "percent", _("Percentage")


class AppliesTo(models.TextChoices):
    ALL = "all", _("All programs, events and sessions")
    KIND = "kind", _("One kind of session")
    SESSIONS = "sessions", _("Chosen sessions")


class CreationBatch(models.Model):
    """One press of *Create*: its parameters, and the progress of the task that runs it.

    ``params`` holds everything the generation needs (``CreationParams.to_json()``), so that a
    Celery task can run or resume it from the id alone. ``done`` counts the codes that exist; a
    retried task carries on from there.

    ``last_progress_at`` is the batch's last sign of life (queued, started, a chunk committed):
    a batch pending or running without one for ``PROMOCODE_BATCH_STALL_SECONDS`` has lost its
    worker and is queued again by the beat task (``promocodes.recovery``). ``attempts`` counts
    the runs that started; once ``PROMOCODE_BATCH_MAX_ATTEMPTS`` of them stalled, the batch
    ends *Failed* with a reason, and an administrator may *Retry* it (attempts start again).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Creating")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="promo_code_batches")
    service = models.CharField(_("promo codes for"), max_length=16, choices=Service.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("codes to create"))
    done = models.PositiveIntegerField(_("codes created"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="pending")
    error = models.TextField(_("error"), blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_progress_at = models.DateTimeField(_("last progress"), default=timezone.now)
    # Its codes are in the search table (PostgreSQL): filled by the worker once the batch is
    # finished (``promocodes.search_index``); until then the report searches them directly.
    search_indexed = models.BooleanField(_("codes in the search index"), default=False)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The report's search asks for a site's batches not yet in the search index:
            # usually none, found without reading the others.
            models.Index(
                fields=["site"],
                condition=models.Q(search_indexed=False),
                name="promocode_batch_unindexed_idx",
            ),
        ]
        verbose_name = _("promo code creation")
        verbose_name_plural = _("promo code creations")

    def __str__(self) -> str:
        return f"{self.site.slug} #{self.pk}: {self.done}/{self.total} {self.state}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def resumed(self) -> bool:
        """A run of this batch was interrupted and another one carried on (or is to)."""
        return self.attempts > 1 or (self.attempts == 1 and self.state == self.State.PENDING)


class PromoCode(models.Model):
    # Foreign keys without their own single-column index: a composite index starts with
    # ``site``; a batch's codes are found by its time window (``selectors.codes_of_batch``);
    # ``created_by`` is looked up rarely. Fewer indexes to maintain when 100,000 codes are
    # inserted or updated at once. ``batch`` and ``created_by`` are audit pointers without a
    # database constraint either: the per-row foreign-key check cost about half of a bulk
    # insert; Django still applies their SET_NULL on delete. ``site`` is checked by triggers
    # once per statement instead of once per row (PostgreSQL, migration 0014: the same
    # guarantee as a foreign key, at a fraction of its cost for 10,000 rows); Django deletes a
    # site's codes with it.
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="promo_codes",
        db_index=False,
        db_constraint=False,
    )
    service = models.CharField(_("promo codes for"), max_length=16, choices=Service.choices)
    code = models.CharField(_("promo code"), max_length=CODE_MAX_LENGTH)
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    recipient_email = models.EmailField(_("email address"), blank=True)
    max_uses = models.PositiveIntegerField(
        _("allowed uses"), null=True, blank=True, help_text=_("Empty: unlimited until expiry.")
    )
    uses = models.PositiveIntegerField(_("uses"), default=0)
    discount_type = models.CharField(_("discount type"), max_length=8, choices=DiscountType.choices)
    discount_value = models.DecimalField(_("discount"), max_digits=8, decimal_places=2)
    expires_on = models.DateField(_("expiration date"), validators=[dates.validate_day])
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    applies_to = models.CharField(
        _("applicable to"), max_length=8, choices=AppliesTo.choices, default=AppliesTo.ALL
    )
    kind = models.CharField(_("kind"), max_length=24, choices=SessionKind.choices, blank=True)
    sessions = models.ManyToManyField(
        Session,
        through="PromoCodeSession",
        related_name="promo_codes",
        blank=True,
        verbose_name=_("sessions"),
    )
    batch = models.ForeignKey(
        CreationBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codes",
        verbose_name=_("created by batch"),
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        db_index=False,
        db_constraint=False,
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("promotional code")
        verbose_name_plural = _("promotional codes")
        constraints = [
            # Unique per site whatever the case: "abc123" and "ABC123" are the same code.
            models.UniqueConstraint("site", Upper("code"), name="promocode_unique_per_site_ci"),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(max_uses__gte=1),
                name="promocode_max_uses_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(uses__lte=models.F("max_uses")),
                name="promocode_uses_within_allowed",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        discount_type=DiscountType.PERCENT,
                        discount_value__gte=1,
                        discount_value__lte=100,
                    )
                    | models.Q(
                        discount_type=DiscountType.FIXED,
                        discount_value__gt=0,
                        discount_value__lte=MAX_FIXED_DISCOUNT,
                    )
                ),
                name="promocode_discount_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(applies_to=AppliesTo.KIND, kind__gt="")
                | (~models.Q(applies_to=AppliesTo.KIND) & models.Q(kind="")),
                name="promocode_kind_iff_applies_to_kind",
            ),
            models.CheckConstraint(
                condition=dates.days_in_range("expires_on"), name="promocode_expiry_in_range"
            ),
        ]
        indexes = [
            # Report: keyset order (created_at, id) within a site and service; "created
            # between" is a range on the same index, and so are a status filter on the
            # common status and an expiry range (their rows are filtered in index order).
            models.Index(
                fields=["site", "service", "created_at", "id"], name="promocode_report_idx"
            ),
            # A rare status (used up, expired, deleted), in report order. Partial: a code
            # generated, or extended (both active), writes no entry here, so creation and
            # extend maintain the same three indexes as a minimal table; no index is keyed
            # on expiry, so the sweep reads the table once (migration 0013).
            models.Index(
                fields=["site", "service", "status", "created_at", "id"],
                condition=~models.Q(status="active"),
                name="promocode_rare_status_idx",
            ),
            # Trigram (GIN) indexes for "contains" are PostgreSQL-only: see migration 0002.
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_unlimited(self) -> bool:
        return self.max_uses is None


class PromoCodeSession(models.Model):
    """The sessions a code with ``applies_to = sessions`` may be used for."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.CASCADE)
    session = models.ForeignKey(Session, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promo_code", "session"], name="promocode_session_once")
        ]
        verbose_name = _("applicable session")
        verbose_name_plural = _("applicable sessions")

    def __str__(self) -> str:
        return f"{self.promo_code_id} → {self.session_id}"


class PromoCodeUse(models.Model):
    """One redemption of a code (a payment's claim on one use); released when given back.

    ``reference`` is the caller's idempotency key (e.g. the payment's id): redeeming the same
    code twice with the same reference takes one use only.
    """

    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemptions")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=100)
    created_at = models.DateTimeField(_("redeemed"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["promo_code", "reference"],
                condition=models.Q(released_at__isnull=True),
                name="promocode_use_reference_once",
            )
        ]
        verbose_name = _("promo code use")
        verbose_name_plural = _("promo code uses")

    def __str__(self) -> str:
        return f"{self.promo_code_id} {self.reference}"


class PromoCodeEmail(models.Model):
    """The e-mail that gives a recipient their code: claimed before sending, sent once.

    ``pending`` → ``sending`` (claimed by one worker with a conditional UPDATE) → ``sent``.
    A failed attempt that surely did not send goes back to ``pending`` and is retried. A claim
    older than ``PROMOCODE_EMAIL_CLAIM_SECONDS`` belongs to a worker that died: it may be
    claimed again (that bound is longer than the SMTP timeout, so a live sender's claim never
    expires). ``sent`` is final: a sent e-mail is never sent again. ``queued_at`` is when a
    task was last queued for it; the beat task (``promocodes.recovery``) queues again the
    e-mails whose task was lost, and fails those that used ``PROMOCODE_EMAIL_MAX_ATTEMPTS``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    promo_code = models.OneToOneField(
        PromoCode, on_delete=models.CASCADE, primary_key=True, related_name="email_delivery"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The language the e-mail is written in, chosen at creation (blank: the site's language).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("promo code e-mail")
        indexes = [
            # The beat task's questions: e-mails still to send, and when one was last claimed.
            models.Index(
                fields=["queued_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="promocode_email_unsent_idx",
            ),
            models.Index(fields=["claimed_at"], name="promocode_email_claimed_idx"),
        ]
        verbose_name_plural = _("promo code e-mails")

    def __str__(self) -> str:
        return f"{self.promo_code_id}: {self.state}"


# Between code, recipient name and e-mail in the search text (nobody types it).
SEARCH_SEPARATOR = "\x1f"


class PromoCodeSearch(models.Model):
    """PostgreSQL only: the searchable text of each code, in a table of its own.

    ``UPPER(code || US || recipient_name || US || recipient_email)`` with a trigram index.
    A generated code is copied here once its batch is finished (``promocodes.search_index``,
    by the worker: off the creation path), any other code by a row trigger on insert, and
    an edited text by a row trigger on update (migrations 0005, 0007, 0012). The text never
    changes when a code's status or expiry does, so the bulk actions and the expiry sweep
    (100,000 rows at a time) do not rewrite ~45 trigram entries per row. Other databases
    search the code table directly.
    """

    promo_code = models.OneToOneField(
        PromoCode,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )
    text = models.TextField()

    class Meta:
        managed = False
        db_table = "promocodes_search"

    def __str__(self) -> str:
        return self.text

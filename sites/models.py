"""Sites, the people who belong to them, the priced sessions they sell, and their history."""

from __future__ import annotations

import json
import zoneinfo
from datetime import date, datetime

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import dates


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


COUNTRY_CODE = r"^[A-Z]{2}$"


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code (two capital letters) of a country whose phone numbers are
    known (``phonenumbers.SUPPORTED_REGIONS``: every country with a telephone plan)."""
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("Enter a country as its two-letter ISO code in capitals, e.g. US or FR."),
            code="country",
        )


class SiteScopedQuerySet(models.QuerySet):
    """Every query of a site's data starts here: ``Model.objects.for_site(site)``."""

    site_field = "site"

    def for_site(self, site: Site):
        return self.filter(**{self.site_field: site})


class Site(models.Model):
    """A Webex site such as ``acme.webex.com``."""

    slug = models.SlugField(
        _("slug"),
        max_length=63,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Lower-case letters, digits, -"))],
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    ecommerce_provisioned = models.BooleanField(
        _("e-commerce provisioned"),
        default=False,
        help_text=_("Set by Webex operations only: the optional e-commerce feature is active."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        help_text=_("ISO 4217 code of the active payment provider's currency (fees, discounts)."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="US",
        validators=[validate_country],
        help_text=_(
            "ISO 3166-1 alpha-2 code, e.g. US or FR. A phone number typed without its country "
            "code (the support info) is read as a number of this country."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=COUNTRY_CODE), name="site_country_iso_alpha2"
            )
        ]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self, at: datetime | None = None) -> date:
        """The date in the site's time zone now (or at the aware datetime ``at``)."""
        return (at or timezone.now()).astimezone(self.tzinfo).date()


class Role(models.TextChoices):
    ADMIN = "admin", _("Site administrator")
    ORGANIZER = "organizer", _("Organizer")


class Membership(models.Model):
    """One person's role in one site."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_membership_per_site")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.site.slug}: {self.get_role_display()}"


class Service(models.TextChoices):
    EVENTS = "events", _("Webex Events (classic)")
    TRAINING = "training", _("Webex Training")


class SessionKind(models.TextChoices):
    LIVE_EVENT = "live_event", _("Live event")
    EVENT_RECORDING = "event_recording", _("Event recording")
    LIVE_TRAINING = "live_training", _("Live training session")
    TRAINING_RECORDING = "training_recording", _("Training recording")


KINDS_BY_SERVICE = {
    Service.EVENTS: (SessionKind.LIVE_EVENT, SessionKind.EVENT_RECORDING),
    Service.TRAINING: (SessionKind.LIVE_TRAINING, SessionKind.TRAINING_RECORDING),
}
LIVE_KINDS = (SessionKind.LIVE_EVENT, SessionKind.LIVE_TRAINING)


def kinds_json() -> str:
    """``KINDS_BY_SERVICE`` as JSON, for the page scripts that show only the chosen service's
    session kinds."""
    return json.dumps({service.value: list(kinds) for service, kinds in KINDS_BY_SERVICE.items()})


class Session(models.Model):
    """Something an attendee pays for: a live event, a training session or a recording."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    service = models.CharField(_("service"), max_length=16, choices=Service.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=SessionKind.choices)
    program = models.CharField(_("program"), max_length=200, blank=True)
    starts_at = models.DateTimeField(
        _("start time"), null=True, blank=True, validators=[dates.validate_moment]
    )
    fee = models.DecimalField(
        _("fee"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organized_sessions",
        verbose_name=_("organizer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "title"]
        indexes = [models.Index(fields=["site", "service", "kind"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="session_fee_not_negative"),
            models.CheckConstraint(
                condition=dates.moments_in_range("starts_at"), name="session_starts_in_range"
            ),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.service and self.kind and self.kind not in KINDS_BY_SERVICE[self.service]:
            errors["kind"] = _("This kind does not belong to the chosen service.")
        if self.kind in LIVE_KINDS and not self.starts_at:
            errors["starts_at"] = _("A live session needs a start time.")
        elif self.starts_at and self.site_id and dates.is_storable_moment(self.starts_at):
            # The field's own check knows no time zone (and reports what it cannot store);
            # the day must also be in range in the site's.
            try:
                dates.validate_local_moment(self.starts_at, self.site.tzinfo)
            except ValidationError as error:
                errors["starts_at"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def is_free(self) -> bool:
        return self.fee == 0


class Revision(models.Model):
    """One Update of a site's configuration: who, when, what, and each field's old → new.

    ``changes`` is a list of ``{"field", "label", "old", "new"}`` holding stored values and
    untranslated msgids (the format is described in ``sites.history``); a secret field is
    recorded as ``{"field", "label", "secret": true}`` with no value at all. ``summary`` is
    the summary in the author's language, ``summaries`` the same in every language
    (``{"en": …, "fr": …}``; empty for rows written before it existed).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="revisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    area = models.CharField(_("area"), max_length=100)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    summaries = models.JSONField(_("summary in each language"), default=dict, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "-created_at"])]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.site.slug} {self.area} {self.created_at:%Y-%m-%d %H:%M}"

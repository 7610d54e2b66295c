"""PayPal webhook events: each one PayPal sent, stored once, processed once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commerce import Mode


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookEvent(models.Model):
    """One event PayPal notified, stored only once PayPal confirmed it sent it.

    ``event_id`` is PayPal's own id (``WH-…``): unique, so a repeated delivery finds the row
    and changes nothing. ``mode`` is the mode whose PayPal verified the signature (Test:
    sandbox, Production: live); only payments of that mode are touched. ``status`` moves
    received → processing → processed (or ignored: a type the console does not act on), or
    failed with ``error`` when an attempt failed (the task tries again); ``attempts`` counts
    the attempts. ``payload`` is the event as PayPal sent it: no credential is in it.
    """

    event_id = models.CharField(_("PayPal event id"), max_length=64, unique=True)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    resource_type = models.CharField(_("resource type"), max_length=64, blank=True)
    resource_id = models.CharField(_("resource id"), max_length=64, blank=True, db_index=True)
    mode = models.CharField(_("verified in"), max_length=16, choices=Mode.choices)
    transmission_id = models.CharField(_("transmission id"), max_length=64, blank=True)
    payload = models.JSONField(_("event"))
    status = models.CharField(
        _("processing"), max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]
        verbose_name = _("PayPal webhook event")
        verbose_name_plural = _("PayPal webhook events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"

    @property
    def verified(self) -> bool:
        """Always True: an event is stored only after PayPal confirmed its signature."""
        return bool(self.mode)

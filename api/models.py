"""API keys of a site and the stored answers of idempotent requests.

A key is ``wxk_<prefix>_<secret>``: the prefix (public, indexed) finds the row, the SHA-256
of the whole key is compared in constant time. The secret carries 256 random bits, so a fast
hash is enough (a slow password hash protects guessable passwords, not random tokens); the
key itself is shown once, at creation, and never stored.

A key acts for its **holder**, a member of the site, never with more than the holder's role:
a read-write key whose holder is an organizer (or was demoted to one) only reads, and a key
whose holder left the site no longer authenticates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sites.models import Site, SiteScopedQuerySet


class Scope(models.TextChoices):
    READ_ONLY = "read", _("Read only")
    READ_WRITE = "write", _("Read and write")


class ApiKey(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("holder"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.site.slug}: {self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header.

    One row per (site, caller, key), inserted before the work starts (``response_status`` 0
    while it runs), so that concurrent repeats find it and wait for the answer instead of
    doing the work again. ``fingerprint`` is the SHA-256 of the method, path and body: the
    same key with another request is a conflict. Rows older than
    ``API_IDEMPOTENCY_RETENTION_HOURS`` are expired: a repeat treats them as absent, and beat
    deletes them (``api.idempotency.purge_expired``, by ``created_at``).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    caller = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "caller", "key"], name="api_idempotency_key_once"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.caller} {self.key}: {self.response_status}"

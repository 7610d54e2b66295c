"""Creating, revoking and checking API keys; every creation and revocation writes History.

``create_key(site, actor, name, holder, scope) -> (ApiKey, plain_key)``
    The plain key is returned once and never stored. The holder must be a member of the
    site; an organizer may only hold a read-only key (``KeyRefused`` otherwise).
``revoke_key(key, actor) -> bool``
    Idempotent: ``True`` the first time.
``find_active_key(plain_key) -> ApiKey | None``
    The active key for this text (constant-time comparison of hashes), with its site and
    holder loaded; ``None`` for anything else.
``effective_role(key) -> str | None``
    The holder's role in the key's site now (``None``: no longer a member).
``can_write(key, role) -> bool``
    A read-write key of a holder who is a site administrator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.history import field_change, record
from sites.models import Membership, Role, Site

from .models import ApiKey, Scope

KEY_PREFIX = "wxk_"
AREA = "api.keys"
# The last use is written at most this often per key (one UPDATE, not one per request).
LAST_USE_RESOLUTION = timedelta(minutes=1)


class KeyRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hash(plain_key: str) -> str:
    return hashlib.sha256(plain_key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def allowed_scopes(role: str) -> tuple[str, ...]:
    """The scopes a member of this role may hold."""
    if role == Role.ADMIN:
        return (Scope.READ_ONLY, Scope.READ_WRITE)
    return (Scope.READ_ONLY,)


def create_key(site: Site, actor, *, name: str, holder, scope: str) -> tuple[ApiKey, str]:
    membership = Membership.objects.filter(site=site, user=holder).first()
    if membership is None:
        raise KeyRefused(_("The holder must be a member of this site."))
    if scope not in allowed_scopes(membership.role):
        raise KeyRefused(_("An organizer may only hold a read-only key."))
    prefix, plain = _new_key()
    with transaction.atomic():
        key = ApiKey.objects.create(
            site=site,
            name=name,
            holder=holder,
            scope=scope,
            prefix=prefix,
            key_hash=_hash(plain),
            created_by=actor,
        )
        record(
            site,
            actor,
            AREA,
            [
                field_change(ApiKey._meta.get_field("name"), "", name),
                field_change(ApiKey._meta.get_field("scope"), "", scope),
                field_change(ApiKey._meta.get_field("holder"), "", holder.get_username()),
            ],
            summary=lambda: (
                _("API key “%(name)s” (%(prefix)s) created") % {"name": name, "prefix": prefix}
            ),
        )
    return key, plain


def revoke_key(key: ApiKey, actor) -> bool:
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(
                key.site,
                actor,
                AREA,
                [],
                summary=lambda: (
                    _("API key “%(name)s” (%(prefix)s) revoked")
                    % {"name": key.name, "prefix": key.prefix}
                ),
            )
    return bool(revoked)


def find_active_key(plain_key: str) -> ApiKey | None:
    if not plain_key.startswith(KEY_PREFIX):
        return None
    prefix = plain_key[len(KEY_PREFIX) :].split("_", 1)[0]
    if not prefix or len(prefix) > 16:
        return None
    key = (
        ApiKey.objects.select_related("site", "holder")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(plain_key)):
        return None
    return key


def effective_role(key: ApiKey) -> str | None:
    return (
        Membership.objects.filter(site_id=key.site_id, user_id=key.holder_id)
        .values_list("role", flat=True)
        .first()
    )


def can_write(key: ApiKey, role: str | None) -> bool:
    return key.scope == Scope.READ_WRITE and role == Role.ADMIN


def note_use(key: ApiKey) -> None:
    """Record the key's last use (at most once per ``LAST_USE_RESOLUTION``)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USE_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now

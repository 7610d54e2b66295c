"""An encrypted text field on ``cryptography``'s MultiFernet, keyed by FIELD_ENCRYPTION_KEYS.

Written here rather than taken from a package: the maintained Django packages derive their
keys from SECRET_KEY (so rotating SECRET_KEY would lose every secret) instead of taking a
list of independent keys where the first encrypts and all decrypt, which is what key rotation
needs. The field is small: encrypt on the way in, decrypt on the way out.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """The MultiFernet of the configured keys (first encrypts, all decrypt)."""
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """The same secret re-encrypted with the newest key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Holds a secret: plain text in Python, a Fernet token in the database ("" stays "")."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

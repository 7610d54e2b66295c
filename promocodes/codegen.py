"""The text of promotional codes: generated ones and the ones an administrator types in."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CODE_MAX_LENGTH

# Upper-case letters and digits without the look-alikes 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, U/V:
# what an attendee reads from an e-mail is what they type. 20 symbols: an 8-character code
# has 20**8 ≈ 2.6e10 values, so collisions stay rare even with millions of codes in a site
# (and the generator retries the few that collide).
ALPHABET = "34679ACEFGHKMNPRTWXY"
MIN_GENERATED_LENGTH = 6
MAX_GENERATED_LENGTH = CODE_MAX_LENGTH
DEFAULT_LENGTH = 8

CUSTOM_CODE_MIN_LENGTH = 3
CUSTOM_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


# Random bytes mapped onto the alphabet: 240 = 12 × 20, so bytes 240–255 are dropped and every
# symbol stays equally likely (no modulo bias). Much faster than one secrets.choice per symbol.
_BYTE_TO_SYMBOL = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_BIASED_BYTES = bytes(range(256 - 256 % len(ALPHABET), 256))


def generate(length: int, count: int) -> list[str]:
    """``count`` distinct random codes of ``length`` symbols from :data:`ALPHABET`."""
    if not MIN_GENERATED_LENGTH <= length <= MAX_GENERATED_LENGTH:
        raise ValueError(f"code length {length} out of range")
    codes: set[str] = set()
    while len(codes) < count:
        need = count - len(codes)
        symbols = (
            secrets.token_bytes(int(need * length * 1.1) + 2 * length)
            .translate(_BYTE_TO_SYMBOL, _BIASED_BYTES)
            .decode("ascii")
        )
        codes.update(symbols[i : i + length] for i in range(0, len(symbols) - length + 1, length))
    return list(codes)[:count]


def capacity(length: int) -> int:
    """How many different codes of this length exist."""
    return len(ALPHABET) ** length


def normalize(text: str) -> str:
    """What an attendee typed, as compared with stored codes (case is ignored separately)."""
    return (text or "").strip()


def validate_custom_code(text: str) -> str:
    """A typed-in code: 3–20 letters, digits, ``-`` or ``_``, starting with a letter or digit.

    The leading character rule also keeps codes safe in CSV exports (no ``=``, ``+``, ``-``,
    ``@``). Returns the code as typed, without surrounding spaces.
    """
    code = normalize(text)
    if len(code) < CUSTOM_CODE_MIN_LENGTH or len(code) > CODE_MAX_LENGTH:
        raise ValidationError(
            _("A promo code has %(min)d to %(max)d characters."),
            code="length",
            params={"min": CUSTOM_CODE_MIN_LENGTH, "max": CODE_MAX_LENGTH},
        )
    if not CUSTOM_CODE_RE.match(code):
        raise ValidationError(
            _("Use only letters A–Z, digits, - and _; the first character is a letter or a digit."),
            code="characters",
        )
    return code

"""Take card numbers, security codes and secrets out of a text before it is logged.

* a run of 13 to 19 digits (single spaces or dashes allowed between them) that passes the
  Luhn check is a card number (PAN);
* the value after a security-code field name (``cvv``, ``cvv2``, ``cvc``, ``csc``,
  ``security_code`` …) in ``name=value``, ``name: value`` or ``'name': 'value'`` form;
* the value after a password-like field name (``pwd``, ``password``, ``secret`` …);
* any known secret value (settings named in ``LOG_REDACTED_SETTINGS`` and the passwords of
  the database, broker and cache URLs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

PAN_MARK = "[card number redacted]"
REDACTED = "[redacted]"

_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
_SEPARATOR = r"""["']?\s*[:=]\s*["']?"""
_SECURITY_CODE = re.compile(
    rf"(?i)\b(cvv2?|cvc2?|csc|cid|security[_ -]?code|card[_ -]?code)({_SEPARATOR})\d{{3,4}}\b"
)
_PASSWORD_FIELD = re.compile(
    rf"(?i)\b(pwd|passwd|password|client_secret|secret|signature)({_SEPARATOR})[^\s\"'&,;}}]+"
)
_SHORTEST_SECRET = 6


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _pan_or_keep(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    return PAN_MARK if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every card number, security code, password field and secret replaced."""
    for secret in sorted({s for s in secrets if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _DIGIT_RUN.sub(_pan_or_keep, text)
    text = _SECURITY_CODE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return _PASSWORD_FIELD.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)


def secrets_of_settings(settings) -> list[str]:
    """The secret values the running settings hold (see ``LOG_REDACTED_SETTINGS``)."""
    values: list[str] = []
    for name in getattr(settings, "LOG_REDACTED_SETTINGS", ()):
        value = getattr(settings, name, None)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list | tuple):
            values += [v for v in value if isinstance(v, str)]
    values += [db.get("PASSWORD") or "" for db in settings.DATABASES.values()]
    urls = [
        getattr(settings, "CELERY_BROKER_URL", ""),
        getattr(settings, "CELERY_RESULT_BACKEND", ""),
    ]
    urls += [str(c.get("LOCATION", "")) for c in settings.CACHES.values()]
    for url in urls:
        password = urlsplit(url or "").password if "://" in (url or "") else None
        if password:
            values.append(password)
    return [v for v in values if v]

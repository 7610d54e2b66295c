"""The names of History's areas: what part of the configuration an entry changed.

Each app registers the areas it writes (in its ``AppConfig.ready()``), so this module, on the
ground floor, knows no app above it::

    register_areas({"promocodes.extend": _("Promo codes — extend expiry")})

Names are lazy translations rendered in the reader's language; an area nobody registered is
shown by its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

# The sites app's own areas; the other apps add theirs.
_AREAS: dict[str, str] = {"sessions": _("Sessions")}


def register_areas(areas: Mapping[str, str]) -> None:
    """Add or replace area names (key -> lazy translatable name)."""
    _AREAS.update(areas)


def area_name(key: str) -> str:
    """The area's name in the active language (its key when unknown)."""
    return str(_AREAS.get(key, key))


def area_choices(keys: Iterable[str]) -> list[tuple[str, str]]:
    """``(key, name)`` for these keys, sorted by name in the active language."""
    return sorted(((key, area_name(key)) for key in set(keys)), key=lambda kv: kv[1].casefold())

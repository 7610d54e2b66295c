"""The one switch between the PostgreSQL statements and the portable ones.

``current()`` is ``promocodes.pg`` on PostgreSQL and ``promocodes.portable`` on any other
database (the SQLite demo); both modules offer the same functions (see ``pg``).
"""

from __future__ import annotations

from types import ModuleType

from django.db import connection

from . import pg, portable


def current() -> ModuleType:
    """The module of statements for the database of the default connection."""
    return pg if connection.vendor == "postgresql" else portable

"""Expiry: codes whose expiration day is over in their site's time zone become Expired."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from sites import history
from sites.money import format_number

from . import dialect
from .models import PromoCode, Status

logger = logging.getLogger(__name__)


def expire_due_codes(at: datetime | None = None) -> dict[int, int]:
    """Mark Expired every active code whose expiration day is over in its site's time zone.

    One set-based UPDATE on PostgreSQL (joined with the sites' time zones, ``pg.expire_due``);
    idempotent; one revision per site that had codes expire, all written by one INSERT.
    Returns ``{site_id: count}``.
    """
    at = at or timezone.now()
    # No time zone is ahead of UTC+14: codes expiring on or after this date are never due.
    latest_due = (at + timedelta(hours=14)).date()
    with transaction.atomic():
        counts = dialect.current().expire_due(at, latest_due)
        history.record_many(_revision(site_id, count) for site_id, count in sorted(counts.items()))
    logger.info(
        "promo code expiry at %s: %d expired %s", at.isoformat(), sum(counts.values()), counts
    )
    return counts


def _revision(site_id: int, count: int) -> history.RevisionRow:
    """The revision of one site's expired codes (written by the worker: no actor)."""
    return history.RevisionRow(
        site_id,
        None,
        "promocodes.expiry",
        [history.field_change(PromoCode._meta.get_field("status"), Status.ACTIVE, Status.EXPIRED)],
        summary=lambda: (
            ngettext(
                "%(count)s promotional code expired.",
                "%(count)s promotional codes expired.",
                count,
            )
            % {"count": format_number(count)}
        ),
    )

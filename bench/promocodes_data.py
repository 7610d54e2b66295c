"""The benchmark's promo-code data set: one site with a million codes, built once and reused."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from promocodes import codegen
from promocodes.models import CreationBatch, PromoCode, PromoCodeSession
from sites.models import Membership, Revision, Session, Site

from .harness import sql
from .harness import vacuum as vacuum_tables

SITE_SLUG = "bench"
TABLE = PromoCode._meta.db_table
BULK_SIZE = 50_000


def vacuum() -> None:
    """``harness.vacuum`` of the promo-code tables."""
    vacuum_tables(TABLE, "promocodes_search")


def build(total: int, log: Callable[[str], None]) -> tuple[Site, object, CreationBatch]:
    """One site with ``total`` codes: a year of history, every status, recipients, kinds.

    The codes come from the product's own generator (so later generation meets real
    collisions); rows are written by one ``INSERT … SELECT FROM unnest(…)`` statement.
    """
    site, created = Site.objects.get_or_create(
        slug=SITE_SLUG,
        defaults={"name": "Bench", "time_zone": "America/New_York", "ecommerce_provisioned": True},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Membership.objects.get_or_create(user=user, site=site, defaults={"role": "admin"})
    existing = PromoCode.objects.for_site(site).count()
    bulk_batch = CreationBatch.objects.for_site(site).filter(params__bench="bulk").first()
    if existing == total and bulk_batch is not None:
        log(f"Data set present: {existing:,} codes in site '{SITE_SLUG}'.")
        return site, user, bulk_batch
    log(f"Building {total:,} codes in site '{SITE_SLUG}' …")
    started = time.perf_counter()
    PromoCodeSession.objects.filter(promo_code__site=site).delete()
    sql(f"DELETE FROM {TABLE} WHERE site_id = %s", [site.pk])
    CreationBatch.objects.for_site(site).delete()
    Revision.objects.for_site(site).delete()
    bulk_batch = CreationBatch.objects.create(
        site=site,
        service="events",
        created_by=user,
        total=BULK_SIZE,
        done=BULK_SIZE,
        state="done",
        params={"bench": "bulk"},
    )
    Session.objects.get_or_create(
        site=site,
        title="Bench live event",
        defaults={"service": "events", "kind": "live_event", "fee": Decimal("100")},
    )
    codes = codegen.generate(8, total)
    today = timezone.localdate()
    now = timezone.now()
    # Row i (1-based): created i × 31.5 s ago (a year for a million), status by i % 100,
    # the most recent BULK_SIZE codes belong to the "bulk" batch used by extend and delete.
    sql(
        f"""
        INSERT INTO {TABLE} (site_id, service, code, recipient_name, recipient_email, max_uses,
            uses, discount_type, discount_value, expires_on, status, applies_to, kind, batch_id,
            created_at, created_by_id)
        SELECT %(site)s, 'events', t.code, 'Recipient ' || t.i, 'user' || t.i || '@example.com',
            1,
            CASE WHEN t.i %% 100 < 4 THEN 1 ELSE 0 END,
            CASE WHEN t.i %% 2 = 0 THEN 'percent' ELSE 'fixed' END,
            CASE WHEN t.i %% 2 = 0 THEN 10 ELSE 5 END,
            %(today)s::date + (t.i %% 400)::int + 1,
            CASE WHEN t.i %% 100 < 4 THEN 'used_up' WHEN t.i %% 100 < 7 THEN 'expired'
                 WHEN t.i %% 100 < 10 THEN 'deleted' ELSE 'active' END,
            CASE WHEN t.i %% 10 = 5 THEN 'kind' ELSE 'all' END,
            CASE WHEN t.i %% 10 = 5 THEN 'live_event' ELSE '' END,
            CASE WHEN t.i <= %(bulk)s THEN %(batch)s END,
            %(now)s::timestamptz - t.i * interval '31.5 seconds',
            %(user)s
        FROM unnest(%(codes)s::varchar[]) WITH ORDINALITY AS t(code, i)
        """,
        {
            "site": site.pk,
            "codes": codes,
            "today": today,
            "now": now,
            "bulk": BULK_SIZE,
            "batch": bulk_batch.pk,
            "user": user.pk,
        },
    )
    # The bulk batch's window covers its codes (see selectors.codes_of_batch).
    CreationBatch.objects.filter(pk=bulk_batch.pk).update(
        created_at=now - timedelta(seconds=31.5 * BULK_SIZE + 1), finished_at=now
    )
    vacuum()
    bulk_batch.refresh_from_db()
    log(f"… built in {time.perf_counter() - started:.1f} s.")
    return site, user, bulk_batch

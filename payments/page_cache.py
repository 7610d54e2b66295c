"""What the payment page shows every attendee of a session alike, kept in the shared cache.

The site, the session, the site's e-commerce settings and the active provider account are the
same for every attendee until someone saves one of them. ``page_for(slug, session_id)`` reads
them from the shared cache (Redis in production: every worker process sees the same entries)
and from the database only on a miss: a warm payment page GET runs no query at all. Each
process also keeps the entries it used (``_kept``), checked against the site's version in the
shared cache at every request: a warm GET makes one cache round trip (the version) and
unpickles nothing. The objects of a kept entry are shared by the requests of the process:
callers read them and never change them.

Invalidation is by version, per site. Each entry carries the version of its site it was built
at; a save (or delete) of the site, one of its sessions, its e-commerce settings or one of its
provider accounts gives the site a new version at once and again once the transaction
commits (the receivers ``connect()`` registers at start-up), so every process sees the change
at its next request. The second version, set after the commit, drops any entry another process
built from the rows of before while the transaction was still open. ``QuerySet.update()``
sends no signal: code that changes those models that way must call ``forget_site`` itself
(none does today).

Secrets never enter the cache: the account is kept with its encrypted fields *deferred* (not
loaded; touching one reads it from the database, and ``save()`` leaves it untouched). Charging
loads the account with its secret from the database (``provider_gateways.account_of``).

The cache being down must not take the page down: a cache error is logged and the page is
built from the database.
"""

from __future__ import annotations

import copy
import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from sites.models import Session, Site

from . import selectors
from .fields import EncryptedTextField
from .models import CommerceSettings, ExpressCheckoutAccount, PayflowAccount

logger = logging.getLogger(__name__)

ENTRY_SECONDS = 600  # an unused entry leaves the cache; versions make it stale sooner
PREFIX = "payments:pay-page"
KEPT_ENTRIES = 256  # per process; past that the process forgets them all and starts again


@dataclass(frozen=True)
class PaymentPage:
    """The site, the session and what may be offered for it (``selectors.Offer``)."""

    site: Site
    session: Session
    offer: selectors.Offer
    version: str = ""


def _entry_key(slug: str, session_id: int) -> str:
    return f"{PREFIX}:{slug}:{session_id}"


def _version_key(site_id: int) -> str:
    return f"{PREFIX}:site:{site_id}"


_kept: dict[tuple[str, int], PaymentPage] = {}


def page_for(slug: str, session_id: int) -> PaymentPage:
    """The page's shared data for one session; ``Http404`` when there is no such session.

    Its ``version`` is the site's version in the shared cache at this request ("" when the
    cache is down): what is derived from the entry may be kept under it (``page_fragments``).
    """
    key = (slug, session_id)
    try:
        kept = _kept.get(key)
        if kept is not None and cache.get(_version_key(kept.site.pk)) == kept.version:
            return kept
        entry = cache.get(_entry_key(slug, session_id))
        if entry is not None and cache.get(_version_key(entry.site.pk)) == entry.version:
            return _keep(key, entry)
    except Exception:  # the cache is down: serve from the database
        logger.warning("payment page cache unavailable", exc_info=True)
        return _load(slug, session_id, "")
    page = _build(slug, session_id)
    return _keep(key, page) if page.version else page


def _keep(key: tuple[str, int], page: PaymentPage) -> PaymentPage:
    if len(_kept) >= KEPT_ENTRIES:
        _kept.clear()
    _kept[key] = page
    return page


def _build(slug: str, session_id: int) -> PaymentPage:
    site = Site.objects.filter(slug=slug).first()
    if site is None:
        raise Http404
    try:
        version = _current_version(site.pk)
    except Exception:
        logger.warning("payment page cache unavailable", exc_info=True)
        return _load(slug, session_id, "", site)
    page = _load(slug, session_id, version, site)
    try:
        cache.set(_entry_key(slug, session_id), page, ENTRY_SECONDS)
    except Exception:
        logger.warning("payment page cache unavailable", exc_info=True)
    return page


def _current_version(site_id: int) -> str:
    """The site's version, made now (``add``: one winner) when the cache has none."""
    key = _version_key(site_id)
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def _load(slug: str, session_id: int, version: str, site: Site | None = None) -> PaymentPage:
    site = site or Site.objects.filter(slug=slug).first()
    if site is None:
        raise Http404
    session = Session.objects.for_site(site).filter(pk=session_id).first()
    if session is None:
        raise Http404
    session.site = site
    offer = selectors.offer_for(site, session)
    if offer.account is not None:
        offer = selectors.Offer(offer.commerce, without_secrets(offer.account), offer.unavailable)
    return PaymentPage(site, session, offer, version)


def without_secrets(account):
    """A copy of ``account`` whose encrypted fields are deferred (not loaded)."""
    kept = copy.copy(account)
    for field in account._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            kept.__dict__.pop(field.attname, None)
    return kept


def forget_site(site_id: int) -> None:
    """Give the site a new version now (the saving transaction reads its own rows) and again
    once the transaction commits (an entry another process built meanwhile from the rows of
    before is dropped)."""

    def bump():
        try:
            cache.set(_version_key(site_id), uuid.uuid4().hex, None)
        except Exception:
            logger.error("payment page cache not invalidated for site %s", site_id, exc_info=True)

    bump()
    transaction.on_commit(bump)


def _site_changed(sender, instance, **kwargs) -> None:
    forget_site(instance.pk if sender is Site else instance.site_id)


def connect() -> None:
    """Forget a site's pages whenever one of the rows they show is saved or deleted."""
    for model in (Site, Session, CommerceSettings, PayflowAccount, ExpressCheckoutAccount):
        for signal in (post_save, post_delete):
            signal.connect(_site_changed, sender=model, dispatch_uid=f"pay-page-{model.__name__}")

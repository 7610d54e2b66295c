"""The payment page's HTML that is the same for every attendee, rendered once per process.

Above the form (business name, session, fee, test banner), the empty form's fields with the
price and the buttons, and below the form (support contact) depend only on the site, the
session, what is offered (``page_cache.PaymentPage``) and the language. ``fragments_for``
renders them once and keeps them in this process under the page's version
(``page_cache``: a new version at every save of what they show) and the language, so an
attendee's GET renders only what is theirs: the CSRF token, the attempt's id and the
language menu of ``base.html``.

Contract: a fragment never holds a CSRF token, an attempt id or anything an attendee typed.
The templates are rendered without a request (``{% csrf_token %}`` would render nothing) and
only for the empty form; a bound form, a typed promo code or a cache outage (no version)
renders the same templates per request instead (``None`` here).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .forms.pay import PaymentForm
from .page_cache import PaymentPage
from .selectors import quote

KEPT = 512  # per process; past that the process forgets them all and starts again
TEMPLATES = {
    "head": "payments/pay/_head.html",
    "fields": "payments/pay/_fields.html",
    "foot": "payments/pay/_foot.html",
}


@dataclass(frozen=True)
class Fragments:
    head: SafeString
    fields: SafeString
    foot: SafeString


_kept: dict[tuple, Fragments] = {}


def fragments_for(page: PaymentPage, language: str) -> Fragments | None:
    """The shared parts of ``page`` in ``language``; ``None`` when they may not be kept."""
    if not page.version:
        return None
    key = (page.site.pk, page.session.pk, page.version, language)
    kept = _kept.get(key)
    if kept is None:
        if len(_kept) >= KEPT:
            _kept.clear()
        kept = _kept[key] = _render(page)
    return kept


def _render(page: PaymentPage) -> Fragments:
    form = PaymentForm(card_types=page.offer.cards)
    context = {
        "site": page.site,
        "pay_session": page.session,
        "offer": page.offer,
        "commerce": page.offer.commerce,
        "form": form,
        "quote": quote(page.site, page.session),
    }
    return Fragments(**{name: render_to_string(t, context) for name, t in TEMPLATES.items()})

"""What every e-mail to an attendee or a code's recipient shares: its language and its sender.

The language is the one the person used (kept on their payment or their e-mail's row) when the
product speaks it, else the site's. The sender is the site's business name (the site's name when
none is given) and its support information, from the site's e-commerce settings: a relation
filled by ``payments`` (``site.commerce``), read here without importing that app.
"""

from __future__ import annotations

from django.conf import settings

from .models import Site


def email_language(language: str, site: Site) -> str:
    """``language`` when it is one of ``settings.LANGUAGES``, else the site's language."""
    return language if language in dict(settings.LANGUAGES) else site.language


def sender(site: Site) -> dict[str, str]:
    """``business_name`` and ``support_info`` of the e-mails sent for ``site``."""
    commerce = getattr(site, "commerce", None)
    business_name = (getattr(commerce, "business_name", "") or "").strip()
    return {
        "business_name": business_name or site.name,
        "support_info": (getattr(commerce, "support_info", "") or "").strip(),
    }

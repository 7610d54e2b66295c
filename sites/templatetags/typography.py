"""``{% colon %}``: the colon that ends a label ("Fee: …"), as the active language writes it.

English writes ``:`` right after the word, French a non-breaking space before it
(``Montant :``). The text is Django's own label suffix (``gettext(":")``, the one form labels
end with), so a label written ``{% translate "Fee" %}{% colon %}`` reads like every form label
of the page. Whole sentences carry their punctuation inside their translation instead.

``{{ address|email_breaks }}``: an e-mail address that may wrap only after its "@" and before
each "." (``<wbr>`` between pieces that never wrap, not even at a hyphen), so a narrow cell
shows ``marie.fontaine@`` / ``exemple-entreprise.fr`` instead of cutting a word; the text
itself, copied or read aloud, is the address unchanged.
"""

import html
import re

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# Zero-width split points: after "@", before ".".
EMAIL_BREAKS = re.compile(r"(?<=@)|(?=\.)")

register = template.Library()


@register.simple_tag
def colon() -> str:
    return gettext(":")


@register.filter
def email_breaks(address) -> SafeString:
    """The address, HTML-escaped, in unbreakable pieces each after a ``<wbr>`` (one before the
    first piece breaks nothing): after "@" and before each "."."""
    pieces = EMAIL_BREAKS.split(str(address or ""))
    # The standard library's escape is Django's (``escape`` calls it): one call a piece, no
    # SafeString per piece; a report page draws fifty addresses.
    return mark_safe(  # noqa: S308 (every piece is escaped)
        "".join(f'<wbr><span class="text-nowrap">{html.escape(p)}</span>' for p in pieces if p)
    )

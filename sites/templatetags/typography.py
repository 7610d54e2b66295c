"""``{% colon %}``: the colon that ends a label ("Fee: …"), as the active language writes it.

English writes ``:`` right after the word, French a non-breaking space before it
(``Montant :``). The text is Django's own label suffix (``gettext(":")``, the one form labels
end with), so a label written ``{% translate "Fee" %}{% colon %}`` reads like every form label
of the page. Whole sentences carry their punctuation inside their translation instead.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    return gettext(":")

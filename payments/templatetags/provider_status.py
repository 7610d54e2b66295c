"""The state of a site's active payment provider, for any console page of the site.

``{% incomplete_provider_warning %}`` renders the warning shown on every E-Commerce tab when
the provider of the payment page is incomplete (nothing otherwise). It reads ``site`` and
``service`` from the page's context, and ``commerce`` when the view already has it.
"""

from django import template

from ..models import CommerceSettings
from ..providers import incomplete_active_provider

register = template.Library()


@register.inclusion_tag("payments/providers/_incomplete_warning.html", takes_context=True)
def incomplete_provider_warning(context):
    site, commerce = context.get("site"), context.get("commerce")
    if commerce is None and site is not None:
        commerce = CommerceSettings.objects.filter(site=site).first()
    return {
        "incomplete": incomplete_active_provider(commerce) if commerce else None,
        "site": site,
        "service": context.get("service"),
    }

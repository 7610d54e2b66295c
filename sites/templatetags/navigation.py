"""``{% site_menu "sidebar" as sections %}``: a registered menu, for the page's member
(``sites.navigation.menu``)."""

from django import template

from .. import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context, name: str) -> list[navigation.ShownSection]:
    return navigation.menu(name, context)

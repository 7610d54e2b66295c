"""``{{ amount|money:currency }}``: an amount with its currency symbol, in the active language
(``sites.money.format_money``); ``{{ value|percent }}`` a percentage (``format_percent``)."""

from django import template

from sites.money import format_money, format_percent

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency)


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return ""
    return format_percent(value)

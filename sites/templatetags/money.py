"""``{{ amount|money:currency }}``: an amount with its currency symbol, in the active language
(``sites.money.format_money``)."""

from django import template

from sites.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency)

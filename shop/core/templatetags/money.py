from django import template

from shop.core.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount, code=None):
    """{{ price|money }} renders e.g. €19.90 in the shop currency."""
    return format_money(amount, code)

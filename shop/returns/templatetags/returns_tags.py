"""The order page's returns corner: `Request a return` while returns are open, and past requests."""

from django import template

from ..services import returns_open, window_closes_at

register = template.Library()


@register.inclusion_tag("returns/_order_returns.html")
def order_returns(order, key=""):
    return {
        "order": order,
        "key": key,
        "open": returns_open(order),
        "closes_at": window_closes_at(order),
        "returns": list(order.returns.prefetch_related("lines__item").select_related("exchange_order")),
    }

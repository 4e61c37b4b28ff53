"""Shipping: one flat rate, free from a threshold (SHOP_SHIPPING_FLAT_RATE, SHOP_FREE_SHIPPING_THRESHOLD).

A rule of its own, below cart and orders in the dependency order: the cart page shows it as an
estimate and checkout snapshots it on the order, so neither app owns it (docs/orders.md).
Both apply it to what the goods cost after a discount code.
"""

from decimal import Decimal

from django.conf import settings

from shop.core.money import quantize

ZERO = Decimal("0.00")


def shipping_for(goods: Decimal) -> Decimal:
    """Flat rate, free from the threshold on (goods at or above it); nothing to ship costs nothing."""
    if goods <= 0 or goods >= settings.SHOP_FREE_SHIPPING_THRESHOLD:
        return ZERO
    return quantize(settings.SHOP_SHIPPING_FLAT_RATE)


def missing_for_free_shipping(goods: Decimal) -> Decimal:
    """How much more the goods must cost to ship free (0 once they do)."""
    return max(ZERO, quantize(settings.SHOP_FREE_SHIPPING_THRESHOLD - goods))

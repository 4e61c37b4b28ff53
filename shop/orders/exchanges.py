"""Stock after a sale: returned units back on the shelf, and the new size of an exchange taken.

Both run inside the caller's transaction (the return being received), under the same
variant locks as checkout (`locks.lock_variants`, pk order), after the order row.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import F

from shop.catalog.models import ProductVariant
from shop.core.pagecache import CATALOG, invalidate_pages

from . import locks
from .models import Order, OrderEvent, OrderItem
from .services import S, _apply, _save_with_unique_number

ZERO = Decimal("0.00")


class ExchangeUnavailable(ValueError):
    """The size wanted is sold out (or no longer sold) at the moment the exchange is made."""


def restock(quantities: dict[int, int]) -> None:
    """Put returned units back: {variant id: units}; the caller guards against doing it twice."""
    quantities = {variant_id: n for variant_id, n in quantities.items() if variant_id and n > 0}
    variants = locks.lock_variants(quantities)
    for variant_id, quantity in sorted(quantities.items()):
        ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)
    back = {v.product_id for v in variants.values() if v.stock <= 0}
    if back:  # back in stock: cached pages show it again
        invalidate_pages(CATALOG, products=back)


def reserve(wanted: dict[int, int]) -> dict[int, ProductVariant]:
    """Lock and check the wanted variants; raise ExchangeUnavailable naming the first that cannot be had."""
    variants = locks.lock_variants(wanted)
    for variant_id, quantity in sorted(wanted.items()):
        variant = variants.get(variant_id)
        if variant is None or not variant.is_active or variant.stock < quantity:
            raise ExchangeUnavailable(variant_id)
    return variants


def place_exchange_order(original: Order, wanted: dict[int, int], *, actor=None) -> Order:
    """A zero-priced order for the new sizes, linked to the original, paid at once and ready to ship.

    The caller reserved `wanted` with `reserve` in this transaction (variants locked).
    """
    variants = reserve(wanted)
    for variant_id, quantity in sorted(wanted.items()):
        ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") - quantity)
    sold_out = {variants[pk].product_id for pk, quantity in wanted.items() if variants[pk].stock == quantity}
    if sold_out:
        invalidate_pages(CATALOG, products=sold_out)  # the last units went: cached pages show it sold out
    order = Order(
        user=original.user,
        email=original.email,
        full_name=original.full_name,
        line1=original.line1,
        city=original.city,
        postal_code=original.postal_code,
        country=original.country,
        currency=settings.SHOP_CURRENCY,
        subtotal=ZERO,
        shipping=ZERO,
        total=ZERO,
        exchange_for=original,
    )
    _save_with_unique_number(order)
    lines = []
    for variant_id, quantity in sorted(wanted.items()):
        line = OrderItem.snapshot(variants[variant_id], quantity, order=order)
        line.unit_price = line.line_total = ZERO
        lines.append(line)
    OrderItem.objects.bulk_create(lines)
    OrderEvent.objects.create(
        order=order,
        to_status=order.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label="" if getattr(actor, "is_authenticated", False) else "returns",
        note=f"Size exchange for order {original.number}.",
    )
    return _apply(locks.lock_order(order.pk), S.PAID, actor=actor, note="Nothing to pay: a size exchange.")

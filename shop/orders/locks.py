"""Row locks, always taken in one fixed order (by primary key) so two checkouts never deadlock.

Lock order across the shop: the cart, then variants (by pk), then the discount code; an order row is
locked on its own, never while holding variant locks taken elsewhere in reverse.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from shop.catalog.models import ProductVariant
from shop.discounts.models import DiscountCode

from .models import Order


def lock_variants(variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Lock the variants (and read their product) in pk order; must run inside a transaction."""
    rows = (
        ProductVariant.objects.select_for_update(of=("self",))
        .select_related("product", "product__category")
        .filter(pk__in=sorted(set(variant_ids)))
        .order_by("pk")
    )
    return {variant.pk: variant for variant in rows}


def lock_discount_code(code: str) -> DiscountCode | None:
    """Lock a discount code's row (after the variants) so its usage limits are counted one order at a time."""
    rows = DiscountCode.objects.select_for_update().prefetch_related("categories", "products")
    return rows.filter(code=code).first()


def lock_order(order_pk: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_pk)


def lock_due_orders(now: datetime) -> QuerySet[Order]:
    """Unpaid orders past their deadline that no other worker holds right now."""
    return (
        Order.objects.select_for_update(skip_locked=True)
        .filter(status=Order.Status.PENDING_PAYMENT, payment_due_at__lt=now)
        .order_by("pk")
    )

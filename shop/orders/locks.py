"""Row locks, always taken in one fixed order (by primary key) so two checkouts never deadlock.

Lock order across the shop: variants (by pk) before anything else; an order row is
locked on its own, never while holding variant locks taken elsewhere in reverse.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from shop.catalog.models import ProductVariant

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


def lock_order(order_pk: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_pk)


def lock_due_orders(now) -> QuerySet[Order]:
    """Unpaid orders past their deadline that no other worker holds right now."""
    return (
        Order.objects.select_for_update(skip_locked=True)
        .filter(status=Order.Status.PENDING_PAYMENT, payment_due_at__lt=now)
        .order_by("pk")
    )

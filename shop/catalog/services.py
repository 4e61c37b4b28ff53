"""Catalog rules: what the shop shows, soft delete and restore, stock views for staff.

Stock is only *decremented* by orders (shop/orders/services.py), under row locks.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Product, ProductImage, ProductSlugRedirect, ProductVariant


def storefront_products() -> QuerySet[Product]:
    """Products a shopper may see, with everything a product card needs in a fixed number of queries."""
    return (
        Product.objects.active()
        .with_in_stock()
        .select_related("category")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.select_related("image").order_by("sort_order")),
            Prefetch("variants", queryset=ProductVariant.objects.filter(is_active=True)),
        )
    )


def get_visible_product(slug: str) -> Product | None:
    return storefront_products().filter(slug=slug).first()


def find_redirect(slug: str) -> Product | None:
    """The product that used to live at this slug, if it is still shown."""
    redirect = ProductSlugRedirect.objects.filter(old_slug=slug).select_related("product").first()
    if redirect is None:
        return None
    product = redirect.product
    visible = not product.is_deleted and product.is_active and product.category.is_active
    return product if visible else None


def price_range(product: Product) -> tuple[Decimal, Decimal]:
    prices = [v.price for v in product.variants.all() if v.is_active] or [product.base_price]
    return min(prices), max(prices)


@transaction.atomic
def soft_delete_product(product: Product) -> Product:
    """Hide the product everywhere; past orders keep their snapshots and the row stays."""
    if product.deleted_at is None:
        product.deleted_at = timezone.now()
        product.save(update_fields=["deleted_at", "updated_at"])
    return product


@transaction.atomic
def restore_product(product: Product) -> Product:
    if product.deleted_at is not None:
        product.deleted_at = None
        product.save(update_fields=["deleted_at", "updated_at"])
    return product


def set_products_active(product_ids: Iterable[int], active: bool) -> int:
    """Bulk activate or deactivate; returns how many changed."""
    return (
        Product.all_objects.filter(pk__in=list(product_ids))
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )


def low_stock_variants(threshold: int | None = None) -> QuerySet[ProductVariant]:
    """Active variants of live products at or below the threshold, emptiest first."""
    limit = settings.SHOP_LOW_STOCK_THRESHOLD if threshold is None else threshold
    return (
        ProductVariant.objects.filter(
            is_active=True, stock__lte=limit, product__deleted_at__isnull=True, product__is_active=True
        )
        .select_related("product")
        .order_by("stock", "product__name", "sku")
    )

"""Every saved or deleted catalog row may show on a storefront page: empty the page cache.

A product's own rows (the product, its variants, its photos) narrow the change to that product,
so only the product blocks that show it are rendered anew (shop/core/pagecache.py). Bulk
updates that send no signal (soft delete, activation, stock edits in services.py, stock taken
or put back by orders) call shop.core.pagecache.invalidate_pages themselves.
"""

from collections.abc import Callable

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from shop.core.pagecache import CATALOG, invalidate_pages

from .models import Category, Product, ProductImage, ProductTag, ProductVariant, SizeGuide


def catalog_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        invalidate_pages(CATALOG)


def product_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """The product's own data: its name, price, variants or photos."""
    if raw:
        return
    product_id = instance.pk if isinstance(instance, Product) else instance.product_id
    invalidate_pages(CATALOG, products=[product_id] if product_id else None)


def connect() -> None:
    receivers: dict[type[Model], Callable] = {
        Product: product_changed,
        ProductImage: product_changed,
        ProductVariant: product_changed,
        Category: catalog_changed,
        ProductTag: catalog_changed,
        SizeGuide: catalog_changed,
    }
    for model, receiver in receivers.items():
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"page-cache-{model.__name__}")

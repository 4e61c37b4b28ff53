"""Every saved or deleted catalog row may show on a storefront page: empty the page cache.

Bulk updates that send no signal (soft delete, activation, stock edits in services.py,
stock taken or put back by orders) call shop.core.pagecache.invalidate_pages themselves.
"""

from django.db.models.signals import post_delete, post_save

from shop.core.pagecache import invalidate_pages

from .models import Category, Product, ProductImage, ProductTag, ProductVariant, SizeGuide


def catalog_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        invalidate_pages()


def connect() -> None:
    for model in (Category, Product, ProductImage, ProductTag, ProductVariant, SizeGuide):
        for signal in (post_save, post_delete):
            signal.connect(catalog_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}")

"""Content that follows the catalog: product search entries include their variants (SKU, colour),
so a variant change re-indexes its product; a category page follows its category's slug."""

from django.db.models.signals import post_delete, post_save
from wagtail.search.tasks import insert_or_update_object_task

from shop.catalog.models import Category, ProductVariant


def reindex_variant_product(sender, instance: ProductVariant, raw: bool = False, **kwargs) -> None:
    if raw or instance.product_id is None:
        return
    insert_or_update_object_task.enqueue("catalog", "product", str(instance.product_id))


def follow_category_slug(sender, instance: Category, raw: bool = False, **kwargs) -> None:
    """A category's page lives at /shop/<category-slug>/: move it when the slug changes.

    Wagtail's redirects app then keeps the old address working.
    """
    if raw:
        return
    from .models import CategoryPage

    for page in CategoryPage.objects.filter(category=instance).exclude(slug=instance.slug):
        page.slug = instance.slug
        page.save(update_fields=["slug", "url_path"], clean=False)


def connect() -> None:
    post_save.connect(follow_category_slug, sender=Category, dispatch_uid="home-follow-category-slug")
    post_save.connect(reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant")
    post_delete.connect(
        reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant-del"
    )

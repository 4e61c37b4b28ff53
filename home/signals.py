"""Content that follows the catalog: product search entries include their variants (SKU, colour),
so a variant change re-indexes its product; a category page follows its category's slug."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.search.tasks import insert_or_update_object_task

from shop.catalog.models import Category, ProductVariant


class ReindexProduct:
    """The on-commit re-index of one product; a transaction holds at most one per product."""

    def __init__(self, product_id: int):
        self.product_id = product_id

    def __call__(self) -> None:
        insert_or_update_object_task.enqueue("catalog", "product", str(self.product_id))


def reindex_variant_product(sender, instance: ProductVariant, raw: bool = False, **kwargs) -> None:
    """Re-index the product once, after the commit, however many of its variants were saved.

    An admin save writes every variant; indexing inside the transaction would also run
    while the variants' stock locks are held. The pending callbacks live on the connection
    and vanish with a rollback, so they are also the de-duplication record.
    """
    if raw or instance.product_id is None:
        return
    connection = transaction.get_connection()
    pending = connection.run_on_commit if connection.in_atomic_block else []
    if any(isinstance(f, ReindexProduct) and f.product_id == instance.product_id for _, f, _ in pending):
        return
    transaction.on_commit(ReindexProduct(instance.product_id))


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

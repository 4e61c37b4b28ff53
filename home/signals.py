"""Keep product search entries whole: a product's index entry holds its variants' SKUs and colours,
so a variant change must re-index its product (Wagtail only re-indexes the model that was saved)."""

from django.db.models.signals import post_delete, post_save
from wagtail.search.tasks import insert_or_update_object_task

from shop.catalog.models import ProductVariant


def reindex_variant_product(sender, instance: ProductVariant, raw: bool = False, **kwargs) -> None:
    if raw or instance.product_id is None:
        return
    insert_or_update_object_task.enqueue("catalog", "product", str(instance.product_id))


def connect() -> None:
    post_save.connect(reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant")
    post_delete.connect(
        reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant-del"
    )

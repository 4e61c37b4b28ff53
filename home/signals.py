"""Content that follows the catalog: product search entries include their variants (SKU, colour),
so a variant change re-indexes its product; a category page follows its category's slug.
Every content change that shows on a storefront page empties the page cache."""

import threading
import weakref

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.search.tasks import insert_or_update_object_task
from wagtail.signals import page_published, page_unpublished, post_page_move

from shop.catalog.models import Category, ProductVariant
from shop.core.pagecache import IMAGES, PAGES, SETTINGS, invalidate_pages


class ReindexProduct:
    """The on-commit re-index of one product; a transaction holds at most one per product."""

    def __init__(self, product_id: int):
        self.product_id = product_id

    def __call__(self) -> None:
        insert_or_update_object_task.enqueue("catalog", "product", str(self.product_id))


class _Pending(threading.local):
    """The re-indexes waiting for this thread's commit, by product id.

    Only Django's list of on-commit callbacks holds them strongly: when it runs them (commit)
    or drops them (rollback, also of a savepoint), they are collected and leave this mapping.
    So it needs nothing but the public `transaction.on_commit`.
    """

    def __init__(self) -> None:
        self.by_product: weakref.WeakValueDictionary[int, ReindexProduct] = weakref.WeakValueDictionary()


_pending = _Pending()


def reindex_variant_product(sender, instance: ProductVariant, raw: bool = False, **kwargs) -> None:
    """Re-index the product once, after the commit, however many of its variants were saved.

    An admin save writes every variant; indexing inside the transaction would also run
    while the variants' stock locks are held.
    """
    if raw or instance.product_id is None:
        return
    if instance.product_id in _pending.by_product:
        return
    reindex = ReindexProduct(instance.product_id)
    if transaction.get_connection().in_atomic_block:
        _pending.by_product[instance.product_id] = reindex
    transaction.on_commit(reindex)


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
        invalidate_pages(PAGES)  # a plain save sends no page_published: the tree moved


def pages_changed(sender, raw: bool = False, **kwargs) -> None:
    """Publish, unpublish (also a scheduled expiry), move or delete of a page; a view restriction
    (privacy). Drafts and revisions change nothing shown."""
    if not raw:
        invalidate_pages(PAGES)


def settings_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        invalidate_pages(SETTINGS)


def site_changed(sender, raw: bool = False, **kwargs) -> None:
    """The site itself (its root page, its host): every URL and every setting may change."""
    if not raw:
        invalidate_pages()


def image_changed(sender, raw: bool = False, **kwargs) -> None:
    """An image edited or deleted, which pages, settings and product photos may all show: the
    stored pages and the kept cards and photos are out, the kept site, settings, page tree and
    category index (which show no image) stay. A new image shows nowhere yet: what starts to show
    it (a product photo, a published page, a setting) invalidates its own scope."""
    if not raw and not kwargs.get("created"):
        invalidate_pages(IMAGES)


def connect_page_cache() -> None:
    from .site_settings import (
        AnnouncementSettings,
        FooterSettings,
        NavigationSettings,
        SeoSettings,
        SiteSettings,
    )

    page_published.connect(pages_changed, dispatch_uid="page-cache-published")
    page_unpublished.connect(pages_changed, dispatch_uid="page-cache-unpublished")
    post_page_move.connect(pages_changed, dispatch_uid="page-cache-moved")
    post_delete.connect(pages_changed, sender=Page, dispatch_uid="page-cache-page-deleted")
    m2m_changed.connect(
        pages_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="page-cache-restriction-groups",
    )
    receivers = {
        Site: site_changed,
        get_image_model(): image_changed,
        PageViewRestriction: pages_changed,
        AnnouncementSettings: settings_changed,
        FooterSettings: settings_changed,
        NavigationSettings: settings_changed,
        SeoSettings: settings_changed,
        SiteSettings: settings_changed,
    }
    for model, receiver in receivers.items():
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"page-cache-{model.__name__}")


def connect() -> None:
    connect_page_cache()
    post_save.connect(follow_category_slug, sender=Category, dispatch_uid="home-follow-category-slug")
    post_save.connect(reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant")
    post_delete.connect(
        reindex_variant_product, sender=ProductVariant, dispatch_uid="home-reindex-variant-del"
    )

"""Catalog rules: what the shop shows, soft delete and restore, stock edits and views for staff.

Checkouts decrement stock in shop/orders/services.py; staff edits of stock go through
apply_stock_edits, which locks the same rows in the same order.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.utils import timezone
from wagtail.search import index as search_index

from shop.core.pagecache import CATALOG, invalidate_pages

from . import stock_alerts
from .images import product_images_queryset
from .models import Product, ProductQuerySet, ProductSlugRedirect, ProductVariant
from .pricing import with_lowest_prior


def sellable_variants() -> QuerySet[ProductVariant]:
    """Active variants of products the shop shows (active, not deleted, active category)."""
    return ProductVariant.objects.filter(is_active=True, product__in=Product.objects.active()).select_related(
        "product"
    )


def storefront_products() -> ProductQuerySet:
    """Products a shopper may see, with everything a card or the product page needs.

    A fixed number of queries whatever the number of products: the products, then
    one for their images with the images' renditions (images.product_images_queryset)
    and one for their active variants.
    """
    return (
        Product.objects.active()
        .with_in_stock()
        .select_related("category", "category__parent")
        .prefetch_related(
            Prefetch("images", queryset=product_images_queryset()),
            Prefetch(
                "variants",
                queryset=with_lowest_prior(ProductVariant.objects.filter(is_active=True)).order_by(
                    "sort_order", "pk"
                ),
            ),
        )
    )


def get_visible_product(slug: str) -> Product | None:
    """One shown product, with the size guides its page may show (size_guides.size_guide_for)."""
    guides = ("size_guide", "category__size_guide", "category__parent__size_guide")
    return storefront_products().select_related(*guides).filter(slug=slug).first()


def find_redirect(slug: str) -> Product | None:
    """The product that used to live at this slug, if it is still shown."""
    redirect = ProductSlugRedirect.objects.filter(old_slug=slug).select_related("product__category").first()
    if redirect is None:
        return None
    return redirect.product if redirect.product.is_visible else None


@transaction.atomic
def soft_delete_product(product: Product) -> Product:
    """Hide the product everywhere; past orders keep their snapshots and the row stays.

    An UPDATE rather than save(): the save signal's index tasks look the product up
    through the default manager, which no longer sees it. It leaves the search index here.
    """
    if product.deleted_at is None:
        product.deleted_at = product.updated_at = timezone.now()
        Product.all_objects.filter(pk=product.pk).update(
            deleted_at=product.deleted_at, updated_at=product.updated_at
        )
        transaction.on_commit(lambda: search_index.remove_object(product))
        invalidate_pages(CATALOG, products=[product.pk])
    return product


@transaction.atomic
def restore_product(product: Product) -> Product:
    """Bring a soft-deleted product back (into search too); shown again if active with an active category."""
    if product.deleted_at is not None:
        product.deleted_at, product.updated_at = None, timezone.now()
        Product.all_objects.filter(pk=product.pk).update(deleted_at=None, updated_at=product.updated_at)
        transaction.on_commit(lambda: search_index.insert_or_update_object(product))
        invalidate_pages(CATALOG, products=[product.pk])
    return product


def set_products_active(product_ids: Iterable[int], active: bool) -> int:
    """Bulk activate or deactivate; returns how many changed."""
    ids = list(product_ids)
    changed = (
        Product.all_objects.filter(pk__in=ids)
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )
    if changed:
        invalidate_pages(CATALOG, products=ids)
    return changed


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


@dataclass(frozen=True)
class StockEdit:
    """A variant's stock as the staff form showed it and as it was posted (shown None: posted is absolute)."""

    variant_id: int
    shown: int | None
    posted: int


class StockConflict(Exception):
    """A staff edit would take a variant below zero: orders took stock while the form was open."""

    def __init__(self, variant_id: int, sku: str, left: int):
        self.variant_id, self.sku, self.left = variant_id, sku, left
        super().__init__(f"Only {left} left of SKU {sku}; someone bought some while you edited.")


def apply_stock_edits[T](
    product_id: int, edits: Iterable[StockEdit], save: Callable[[], T]
) -> tuple[T, dict[int, int]]:
    """Run `save` (the admin form's save) and apply its stock changes as differences.

    Returns what `save` returned, and the edited variants' new stock by id.

    The form shows stock at one moment and checkouts may take some before it is posted:
    writing the posted number back would give their units away again. So each existing
    variant ends at its current stock + (posted - shown). Its variants are locked first,
    in pk order like orders.locks.lock_variants, until the caller's transaction ends.
    Nothing is saved when a variant would go below zero (StockConflict).
    """
    with transaction.atomic():
        locked = (
            ProductVariant.objects.select_for_update()
            .filter(product_id=product_id)
            .order_by("pk")
            .values_list("pk", "stock", "sku")
        )
        current = {pk: (stock, sku) for pk, stock, sku in locked}
        targets: dict[int, int] = {}
        for edit in edits:
            if edit.variant_id not in current:
                continue  # deleted meanwhile; the form's save decides what happens to it
            stock, sku = current[edit.variant_id]
            target = edit.posted if edit.shown is None else stock + edit.posted - edit.shown
            if target < 0:
                raise StockConflict(edit.variant_id, sku, stock)
            targets[edit.variant_id] = target
        saved = save()
        if targets:
            ProductVariant.objects.filter(pk__in=targets).update(
                stock=Case(*(When(pk=pk, then=Value(stock)) for pk, stock in targets.items()))
            )
            invalidate_pages(CATALOG, products=[product_id])
            restocked = [pk for pk, stock in targets.items() if stock > 0 and current[pk][0] <= 0]
            stock_alerts.notify_after_commit(restocked)
    return saved, targets


@dataclass(frozen=True)
class Option:
    value: str
    available: bool
    note: str = ""  # why it cannot be chosen: "sold out" or "not in this colour"


@dataclass(frozen=True)
class VariantOptions:
    """What the product page offers: colours and sizes, each marked available or sold out."""

    colours: list[Option]
    sizes: list[Option]
    selected_colour: str
    # "colour|size" -> in stock, for the page's script to grey out sizes per colour
    availability: dict[str, bool]

    @property
    def has_colours(self) -> bool:
        return bool(self.colours)


def active_variants(product: Product) -> list[ProductVariant]:
    return sorted((v for v in product.variants.all() if v.is_active), key=lambda v: (v.size_rank, v.pk))


def variant_options(product: Product, colour: str | None = None) -> VariantOptions:
    """Sizes and colours of the active variants; sizes marked for the chosen (or first in-stock) colour."""
    variants = active_variants(product)
    colours = list(dict.fromkeys(v.colour for v in variants if v.colour))
    colour_options = []
    for c in colours:
        available = any(v.is_available for v in variants if v.colour == c)
        colour_options.append(Option(c, available, "" if available else "sold out"))
    if colour not in colours:
        colour = next((o.value for o in colour_options if o.available), colours[0] if colours else "")
    sizes = list(dict.fromkeys(v.size for v in variants))
    in_colour = [v for v in variants if v.colour == colour] if colours else variants
    size_options = [_size_option(s, [v for v in in_colour if v.size == s]) for s in sizes]
    availability = {f"{v.colour}|{v.size}": v.is_available for v in variants}
    return VariantOptions(colour_options, size_options, colour, availability)


def _size_option(size: str, variants: list[ProductVariant]) -> Option:
    if any(v.is_available for v in variants):
        return Option(size, True)
    return Option(size, False, "sold out" if variants else "not in this colour")


def soft_delete_products(products: Iterable[Product]) -> int:
    """Soft-delete several products; returns how many were live."""
    live = [p for p in products if p.deleted_at is None]
    for product in live:
        soft_delete_product(product)
    return len(live)


def restore_products(products: Iterable[Product]) -> int:
    """Restore several soft-deleted products; returns how many were deleted."""
    deleted = [p for p in products if p.deleted_at is not None]
    for product in deleted:
        restore_product(product)
    return len(deleted)

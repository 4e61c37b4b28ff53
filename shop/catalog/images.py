"""Product photos as responsive <img> tags, with renditions fetched in bulk.

Every list of products reads its photos in one query: each photo's image row
joined, and that image's renditions of the sizes below brought along as a JSON
array (product_images_queryset), so rendering N cards costs the same number of
queries as rendering one. A rendition missing the first time is generated once
and stored; from then on it comes with the photos.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.images import get_image_model
from wagtail.images.shortcuts import get_renditions_or_not_found

from shop.core import pagecache, sql

from .models import Product, ProductImage

logger = logging.getLogger(__name__)

# name -> (filter specs, smallest first; the sizes attribute). Photos are 4:5 portrait.
IMAGE_SIZES: dict[str, tuple[tuple[str, ...], str]] = {
    "card": (("fill-300x375", "fill-600x750"), "(min-width: 992px) 25vw, (min-width: 576px) 50vw, 100vw"),
    "detail": (("fill-600x750", "fill-1000x1250"), "(min-width: 992px) 50vw, 100vw"),
    "thumb": (("fill-120x150",), "120px"),
}
ALL_SPECS: tuple[str, ...] = tuple(dict.fromkeys(s for specs, _ in IMAGE_SIZES.values() for s in specs))


RENDITION_ROWS = "rendition_rows"  # the annotation that carries an image's renditions as JSON
PHOTO_ORDER = ("sort_order", "id")  # a product's photos, first (its main photo) to last


def product_images_queryset(specs: Iterable[str] = ALL_SPECS) -> QuerySet[ProductImage]:
    """Product images in order, each with its image row and that image's renditions of `specs`.

    One query: the renditions come as a JSON array from a correlated subquery, and
    ImagesWithRenditions turns them into Rendition instances on `image.prefetched_renditions`,
    the list Wagtail's get_renditions() looks in first (and appends a rendition it creates to).
    """
    Rendition = get_image_model().get_rendition_model()
    renditions = Rendition.objects.filter(image=OuterRef("image_id"), filter_spec__in=list(specs)).values(
        json=sql.json_row(Rendition)
    )
    queryset = (
        ProductImage.objects.select_related("image")
        .annotate(**{RENDITION_ROWS: ArraySubquery(renditions)})
        .order_by(*PHOTO_ORDER)
    )
    # Django has no public hook for turning rows into instances; values() and values_list() set
    # this same attribute, every clone copies it (so Prefetch's filter() keeps it), and
    # ImagesWithRenditions only adds to what ModelIterable yields. Tested in tests/catalog/test_images.py.
    queryset._iterable_class = ImagesWithRenditions
    return queryset


class ImagesWithRenditions(ModelIterable):
    """Product images whose image carries the renditions read with them, as the ORM would build them:
    Model.from_db with the concrete fields (so `_state` says loaded from this database), the image set
    on each, as the prefetch through `image__renditions` did."""

    def __iter__(self):
        db = self.queryset.db
        for product_image in super().__iter__():
            image = product_image.image
            Rendition = image.get_rendition_model()
            renditions = []
            for row in product_image.__dict__.pop(RENDITION_ROWS):
                rendition = sql.from_json(Rendition, row, db)
                rendition.image = image
                renditions.append(rendition)
            image.prefetched_renditions = renditions
            yield product_image


def prefetch_product_images(products: Iterable[Product], specs: Iterable[str] = ALL_SPECS) -> list[Product]:
    """For products that did not come from storefront_products(): fetch all their photos in bulk."""
    products = list(products)
    missing = [p for p in products if "images" not in getattr(p, "_prefetched_objects_cache", {})]
    if missing:
        prefetch_related_objects(missing, Prefetch("images", queryset=product_images_queryset(specs)))
    return products


@dataclass(frozen=True)
class Picture:
    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    alt: str

    def img_tag(self, *, lazy: bool = True, css_class: str = "img-fluid") -> str:
        return format_html(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="{}"{}>',
            self.src,
            self.srcset,
            self.sizes,
            self.width,
            self.height,
            self.alt,
            css_class,
            mark_safe(' loading="lazy" decoding="async"') if lazy else "",
        )


def picture(product_image: ProductImage | None, size: str = "card") -> Picture | None:
    """The renditions of one photo at a named size; no query when they were prefetched.

    None when there is no photo, or its file is missing (the page shows a placeholder, not an error).
    """
    if product_image is None:
        return None
    specs, sizes = IMAGE_SIZES[size]
    by_width = {r.width: r for r in get_renditions_or_not_found(product_image.image, specs).values()}
    if 0 in by_width:
        logger.warning("Photo file missing for %s (image %s)", product_image, product_image.image_id)
        return None
    renditions = [by_width[w] for w in sorted(by_width)]  # a small original gives equal widths
    smallest = renditions[0]
    return Picture(
        src=smallest.url,
        srcset=", ".join(f"{r.url} {r.width}w" for r in renditions),
        sizes=sizes,
        width=smallest.width,
        height=smallest.height,
        alt=product_image.alt_text,
    )


def attach_card_pictures(products: Iterable[Product], size: str = "card") -> list[Product]:
    """Set `product.picture` (main photo, or None) on every product, fetching renditions in bulk."""
    products = list(products)
    for product in prefetch_product_images(products):
        product.picture = picture(product.main_image(), size)
    return products


MainPhoto = tuple[int, int, str]  # a product's first photo: (ProductImage id, image id, alt text)
MAIN_PHOTO = ("main_photo_id", "main_photo_image", "main_photo_alt")  # its columns in main_photo_join


def main_photo_join(product_id: str) -> tuple[str, str]:
    """A LEFT JOIN LATERAL that brings along each product's first photo (in the order of
    product_images_queryset), and its three columns for the SELECT: a MainPhoto, or NULLs."""
    photo, col, quote = ProductImage, partial(sql.column, ProductImage), connection.ops.quote_name
    named = ", ".join(
        f"{col(field)} AS {quote(name)}"
        for field, name in zip(("id", "image", "alt_text"), MAIN_PHOTO, strict=True)
    )
    first = (
        f"SELECT {named} FROM {sql.table(photo)} WHERE {col('product')} = {product_id}"  # noqa: S608 (names from the model)
        f" ORDER BY {', '.join(col(field) for field in PHOTO_ORDER)} LIMIT 1"
    )
    alias = quote("main_photo")
    return f"LEFT JOIN LATERAL ({first}) {alias} ON TRUE", ", ".join(
        f"{alias}.{quote(name)}" for name in MAIN_PHOTO
    )


def attach_main_pictures(products: Iterable[Product], size: str, request: HttpRequest) -> list[Product]:
    """Set `product.picture` from `product.main_photo`, the MainPhoto read with the products
    (main_photo_join), without asking the cache.

    Each picture is kept per process (pagecache.memo_many) under its photo's identity: another
    photo first, another image or another alt text is another key; an edited image (its file or
    focal point, so its renditions) bumps the IMAGES scope, and with it every kept picture. The
    ones not kept are read in one query. A photo whose file is missing is not kept."""
    products = list(products)
    keys = {p.pk: ("picture", size, *p.main_photo) for p in products if p.main_photo is not None}

    def read(missing: list[tuple]) -> dict[tuple, Picture | None]:
        specs = IMAGE_SIZES[size][0]
        found = product_images_queryset(specs).filter(pk__in=[key[2] for key in missing])
        by_id = {product_image.pk: product_image for product_image in found}
        return {key: picture(by_id.get(key[2]), size) for key in missing}

    pictures = pagecache.memo_many(request, set(keys.values()), read, depends_on=[pagecache.IMAGES])
    for product in products:
        product.picture = pictures.get(keys[product.pk]) if product.pk in keys else None
    return products

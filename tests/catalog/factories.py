"""Catalog test data: plain functions, no factory library."""

import itertools
from decimal import Decimal
from io import BytesIO

import PIL.Image
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Collection

from shop.catalog.models import Category, Product, ProductImage, ProductVariant

_seq = itertools.count(1)


def make_category(name: str = "T-shirts", **extra) -> Category:
    return Category.objects.create(name=name, **extra)


def make_wagtail_image(title: str = "photo", colour: str = "#336699"):
    if Collection.get_first_root_node() is None:  # a transactional test flushed the data migrations' rows
        Collection.add_root(name="Root")
    buffer = BytesIO()
    PIL.Image.new("RGB", (640, 800), colour).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title.replace(' ', '-')}.png")
    )


def make_product(
    name: str | None = None,
    *,
    category: Category | None = None,
    price: str = "25.00",
    sizes: tuple[str, ...] = ("S", "M", "L"),
    colours: tuple[str, ...] = (),
    stock: int = 10,
    images: int = 0,
    **extra,
) -> Product:
    """A product with one variant per size (and colour), `stock` each, and `images` photos."""
    n = next(_seq)
    category = category or Category.objects.filter(slug="t-shirts").first() or make_category()
    product = Product.objects.create(
        name=name or f"Product {n}", category=category, base_price=Decimal(price), **extra
    )
    for size, colour in itertools.product(sizes, colours or ("",)):
        ProductVariant.objects.create(
            product=product,
            size=size,
            colour=colour,
            sku=f"SKU-{product.pk}-{size}-{colour or 'X'}",
            stock=stock,
        )
    for i in range(images):
        ProductImage.objects.create(
            product=product,
            image=make_wagtail_image(f"{product.slug} {i}"),
            alt_text=f"{product.name}, photo {i + 1}",
            sort_order=i,
        )
    return product

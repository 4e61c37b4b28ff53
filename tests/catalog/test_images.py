"""Product photos come with their renditions in one query (shop/catalog/images.py): the Rendition
instances built from the query's JSON are the ones the ORM reads, Wagtail finds them without a
query of its own, and a rendition that is missing is still made once and then read with the photos."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model

from shop.catalog.images import (
    ALL_SPECS,
    IMAGE_SIZES,
    picture,
    prefetch_product_images,
    product_images_queryset,
)
from shop.catalog.models import Product, ProductImage
from shop.catalog.services import storefront_products
from tests.factories import make_product

pytestmark = pytest.mark.django_db

Rendition = get_image_model().get_rendition_model()


def photographed(count: int) -> list[Product]:
    products = [make_product(f"Tee {i}", sizes=("M",), images=2) for i in range(count)]
    for image in product_images_queryset():  # every size made once, as on a first visit
        for size in IMAGE_SIZES:
            assert picture(image, size) is not None
    return products


def fields(rendition) -> dict:
    return {f.attname: getattr(rendition, f.attname) for f in Rendition._meta.concrete_fields}


def read_photos() -> tuple[list[ProductImage], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        images = list(product_images_queryset())
    return images, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("count", [3, 12])  # 12 products x 2 photos x 5 sizes show no growth
def test_photos_and_their_renditions_are_one_query_and_render_with_none(count, django_assert_num_queries):
    photographed(count)
    images, sql = read_photos()
    assert len(sql) == 1 and "wagtailimages_rendition" in sql[0] and "wagtailimages_image" in sql[0]
    assert len(images) == 2 * count
    with django_assert_num_queries(0):
        pictures = [picture(image, size) for image in images for size in IMAGE_SIZES]
    assert all(p is not None for p in pictures)
    assert all(" 300w, " in p.srcset and " 600w" in p.srcset for p in pictures[:: len(IMAGE_SIZES)])


def test_the_renditions_built_from_json_are_the_ones_the_orm_reads(django_assert_num_queries):
    photographed(2)
    images, _ = read_photos()
    for image in (i.image for i in images):
        from_orm = {r.pk: r for r in Rendition.objects.filter(image=image, filter_spec__in=ALL_SPECS)}
        with django_assert_num_queries(0):
            built = {r.pk: r for r in image.prefetched_renditions}
            assert built.keys() == from_orm.keys() and len(built) == len(ALL_SPECS)
            for pk, rendition in built.items():
                assert type(rendition) is Rendition
                assert fields(rendition) == fields(from_orm[pk])
                assert rendition == from_orm[pk]
                assert (rendition.url, rendition.width, rendition.height) == (
                    from_orm[pk].url,
                    from_orm[pk].width,
                    from_orm[pk].height,
                )
                assert (rendition._state.db, rendition._state.adding) == ("default", False)
                assert rendition.image is image  # no query for the image of a rendition


def test_the_photos_keep_their_order():
    product = make_product("Tee", sizes=("M",), images=3)
    first, second, third = product.images.order_by("pk")
    ProductImage.objects.filter(pk=third.pk).update(sort_order=0)
    ProductImage.objects.filter(pk=first.pk).update(sort_order=1)
    ProductImage.objects.filter(pk=second.pk).update(sort_order=1)
    assert [i.pk for i in product_images_queryset()] == [third.pk, first.pk, second.pk]
    assert [i.pk for i in storefront_products().get().images.all()] == [third.pk, first.pk, second.pk]


def test_storefront_products_read_photos_and_renditions_in_one_query(django_assert_num_queries):
    photographed(3)
    with django_assert_num_queries(3):  # products, photos with renditions, variants
        products = list(storefront_products())
    with django_assert_num_queries(0):
        assert all(picture(p.main_image(), "detail") is not None for p in products)


def test_products_from_elsewhere_get_their_photos_and_renditions_in_one_query(django_assert_num_queries):
    photographed(3)
    products = list(Product.objects.all())
    with django_assert_num_queries(1):
        prefetch_product_images(products)
    with django_assert_num_queries(0):
        assert all(picture(p.main_image()) is not None for p in products)
        assert all(len(p.main_image().image.prefetched_renditions) == len(ALL_SPECS) for p in products)


def test_a_missing_rendition_is_made_once_then_comes_with_the_photos(django_assert_num_queries):
    product = photographed(1)[0]
    image = product.images.order_by("sort_order", "pk").first().image
    gone = Rendition.objects.get(image=image, filter_spec="fill-600x750")
    gone.delete()
    main = product_images_queryset()[0]
    with CaptureQueriesContext(connection) as made:
        shown = picture(main, "card")
    assert any("INSERT" in q["sql"] and "wagtailimages_rendition" in q["sql"] for q in made.captured_queries)
    new = Rendition.objects.get(image=image, filter_spec="fill-600x750")
    assert new.pk != gone.pk
    assert f"{new.url} 600w" in shown.srcset
    with django_assert_num_queries(0):  # made once: the same photo's other sizes find it too
        assert picture(main, "detail").src == new.url
    main, _ = read_photos()
    with django_assert_num_queries(0):
        assert picture(main[0], "card") == shown


def test_a_missing_file_gives_no_picture():
    product = make_product("Tee", sizes=("M",), images=1)
    image = product.images.get().image
    image.file.storage.delete(image.file.name)
    assert picture(product_images_queryset().get(), "card") is None


def test_models_read_back_from_json_are_those_json_keeps_and_others_are_refused():
    """The JSON arrays (the photos' renditions, the page tree's view restrictions) are read back
    field by field with no conversion (shop/core/sql.from_json): numbers and text only (a date or
    a decimal would come back as text or a float), checked for the models in use."""
    from django.core.exceptions import ImproperlyConfigured
    from wagtail.models import PageViewRestriction

    from shop.core.sql import json_fields

    for model in (Rendition, PageViewRestriction):
        assert json_fields(model) == tuple(f.attname for f in model._meta.concrete_fields)
    with pytest.raises(ImproperlyConfigured, match="created_at"):
        json_fields(Product)

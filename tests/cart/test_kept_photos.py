"""The cart's photos, read by identity with the lines and kept per process until an image edit
(shop/catalog/images.attach_main_pictures): the kept photo is the one the cart would render,
and every change to a photo shows at once."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.images.rect import Rect

from shop.catalog.models import ProductImage
from shop.core import pagecache
from tests.cart.test_cart import add
from tests.factories import make_variant, make_wagtail_image

pytestmark = pytest.mark.django_db

THUMB = re.compile(r'<div class="cart-thumb[^"]*">(<img [^>]*>)</div>')


@pytest.fixture
def variant(page_cache):
    variant = make_variant(stock=5)
    ProductImage.objects.create(product=variant.product, image=make_wagtail_image("first"), alt_text="Front")
    return variant


@pytest.fixture
def guest(variant):
    client = Client()
    add(client, variant=variant.pk)
    return client


def photos(client) -> list[str]:
    response = client.get("/cart/")
    assert response.status_code == 200
    return THUMB.findall(response.content.decode())


def changed(capture, change) -> None:
    with capture(execute=True):  # the page cache is told on commit
        change()


def test_the_kept_photo_is_the_rendered_one(guest):
    rendered = photos(guest)
    assert len(rendered) == 1 and 'alt="Front"' in rendered[0]
    assert photos(guest) == rendered


def test_the_cart_page_asks_the_cache_once_and_a_kept_photo_no_query(
    guest, page_cache, monkeypatch, django_assert_num_queries
):
    """The generations with the page (generations_and_entry); the photo comes with the lines."""
    from shop.core import pagecache

    photos(guest)
    calls = []

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(page_cache, name)

    monkeypatch.setattr(pagecache, "_cache", Counting)
    with django_assert_num_queries(2):  # the session, the cart with its lines and their photos
        assert len(photos(guest)) == 1
    assert calls == ["get_many"]


def test_a_photo_moved_first_shows_at_once(guest, variant, django_capture_on_commit_callbacks):
    photos(guest)
    first = variant.product.images.get()

    def put_another_first():
        ProductImage.objects.create(
            product=variant.product, image=make_wagtail_image("zero"), alt_text="Side", sort_order=-1
        )

    changed(django_capture_on_commit_callbacks, put_another_first)
    assert 'alt="Side"' in photos(guest)[0]
    first.sort_order = -2
    changed(django_capture_on_commit_callbacks, first.save)
    assert 'alt="Front"' in photos(guest)[0]


def test_a_new_alt_text_shows_at_once(guest, variant, django_capture_on_commit_callbacks):
    photos(guest)
    photo = variant.product.images.get()
    photo.alt_text = "Back"
    changed(django_capture_on_commit_callbacks, photo.save)
    assert 'alt="Back"' in photos(guest)[0]


def test_a_replaced_photo_shows_at_once(guest, variant, django_capture_on_commit_callbacks):
    before = photos(guest)
    photo = variant.product.images.get()
    photo.image = make_wagtail_image("second", colour="#993366")
    changed(django_capture_on_commit_callbacks, photo.save)
    after = photos(guest)
    assert after != before and "second" in after[0]


def test_a_removed_photo_goes_and_an_added_one_comes(guest, variant, django_capture_on_commit_callbacks):
    photos(guest)
    changed(django_capture_on_commit_callbacks, variant.product.images.get().delete)
    assert photos(guest) == []

    def add_photo():
        image = make_wagtail_image("third")
        ProductImage.objects.create(product=variant.product, image=image, alt_text="New")

    changed(django_capture_on_commit_callbacks, add_photo)
    assert 'alt="New"' in photos(guest)[0]


def test_an_edited_image_shows_at_once(guest, variant, django_capture_on_commit_callbacks):
    """An image's own edit (here its focal point, which changes every rendition) empties everything."""
    before = photos(guest)
    image = variant.product.images.get().image

    def move_focal_point():
        image.set_focal_point(Rect(10, 10, 30, 30))
        image.save()

    changed(django_capture_on_commit_callbacks, move_focal_point)
    assert photos(guest) != before


def test_a_photo_whose_file_is_missing_is_not_kept(guest, variant, django_capture_on_commit_callbacks):
    """The placeholder for now, and the photo again once its file is back (no stale miss kept)."""
    image = variant.product.images.get().image
    rendered = photos(guest)
    with image.file.open("rb") as original:
        content = original.read()
    image.renditions.all().delete()
    image.file.storage.delete(image.file.name)
    assert photos(guest) == rendered  # kept: the file is read only to make a rendition
    changed(django_capture_on_commit_callbacks, lambda: pagecache.invalidate_pages(pagecache.IMAGES))
    assert photos(guest) == []
    image.file.storage.save(image.file.name, ContentFile(content))
    assert len(photos(guest)) == 1

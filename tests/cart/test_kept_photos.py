"""The cart's photos, kept in the page cache under their products' versions (shop/catalog/images.py):
the kept photo is the one the cart would render, and every change to a photo shows at once."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from wagtail.images.rect import Rect

from shop.catalog.models import ProductImage
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


def test_the_cart_page_asks_the_cache_twice(guest, page_cache, monkeypatch):
    """The generations with the page (generations_and_entry), then the photos with their
    products' versions (versions_and_kept): one round trip each."""
    from shop.core import pagecache

    photos(guest)
    calls = []

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(page_cache, name)

    monkeypatch.setattr(pagecache, "_cache", Counting)
    assert len(photos(guest)) == 1
    assert calls == ["get_many", "get_many"]


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


def test_a_cache_outage_costs_queries_not_the_photo(guest, monkeypatch):
    """The photos' reads and writes fail while the rest of the page cache answers."""
    rendered = photos(guest)
    cache = type(caches["pages"])
    get_many = cache.get_many

    def photos_down(self, keys, *args, **kwargs):
        if any(key.startswith("picture:") for key in keys):
            raise ConnectionError("cache down")
        return get_many(self, keys, *args, **kwargs)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", photos_down)
    monkeypatch.setattr(cache, "set_many", down)
    assert photos(guest) == rendered

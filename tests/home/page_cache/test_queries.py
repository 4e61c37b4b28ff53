"""SQL per storefront page with the page cache on, at two catalog sizes: none on a hit; on a miss
at most 10, the same at both sizes. The site, its settings, the page tree, view restrictions and
the category tree are kept per generation, so a miss after the first one of a generation runs
only the page's own queries (docs/performance.md). The product blocks' fragment cache is left
empty here: these are the counts of a page whose blocks are rendered anew."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from tests.factories import grid, landing, make_product, make_wagtail_image, stream

pytestmark = pytest.mark.django_db

MISS_LIMIT = 10


@pytest.fixture(autouse=True)
def _no_fragment_hits(monkeypatch):
    from home import fragments

    monkeypatch.setattr(fragments, "lookup", lambda keys: {})


def category_tiles(category) -> tuple[str, dict]:
    tile = {"category": category.pk, "label": "", "image": make_wagtail_image("tile").pk}
    return ("category_tiles", {"heading": "Shop by category", "tiles": [tile]})


def hero() -> tuple[str, dict]:
    return ("hero", {"image": make_wagtail_image("hero").pk, "heading": "New season", "text": ""})


@pytest.fixture
def catalogue(home, shop_index, tshirt_page, tshirts, request):
    """Every kind of storefront page, filled with `count` products."""
    count = request.param
    products = [make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M")) for i in range(count)]
    for product in products:
        product.tags.add("summer")
        product.save()
    home.body = stream(
        hero(),
        grid([p.pk for p in products], limit=48),
        grid(source="category", category=tshirts.pk),
        category_tiles(tshirts),
    )
    home.save_revision().publish()
    sale = landing(home, "Summer", [grid(source="tag", tag="summer"), grid(source="newest")])
    members = landing(home, "Club")
    PageViewRestriction.objects.create(page=members, restriction_type="login")  # a private section
    return [
        "/",
        sale.url,
        "/shop/",
        "/shop/t-shirts/",
        "/shop/t-shirts/?sort=price_asc",
        "/shop/t-shirts/?size=M",
        "/shop/t-shirts/?page=2",
        products[0].get_absolute_url(),
        "/search/?q=tee",
        "/search/?q=tee&size=M",
    ]


@pytest.mark.parametrize("catalogue", [3, 30], indirect=True)
def test_queries_on_a_miss_and_a_hit_do_not_grow_with_products(
    catalogue, django_assert_max_num_queries, django_assert_num_queries
):
    visitor = Client()
    for url in catalogue:  # renditions made; the site, settings and trees kept for this generation
        assert visitor.get(url).status_code in (200, 404), url
    for url in catalogue:
        miss_url = url + ("&" if "?" in url else "?") + "again=1"  # a key of its own: a miss
        with django_assert_max_num_queries(MISS_LIMIT):
            miss = visitor.get(miss_url)
        assert miss["X-Page-Cache"] == "miss", url
        with django_assert_num_queries(0):
            assert visitor.get(miss_url)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("size", [3, 30])
def test_the_miss_counts_are_the_same_at_both_sizes(home, shop_index, tshirt_page, tshirts, size, settings):
    """The exact numbers, so a query that grows with products (or a new one) is seen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(size):
        make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M"))
    home.body = stream(grid(source="category", category=tshirts.pk, limit=48))
    home.save_revision().publish()
    visitor = Client()
    counts = {}
    for url in ("/", "/shop/", "/shop/t-shirts/", "/shop/t-shirts/?sort=price_desc&size=M", "/search/?q=tee"):
        visitor.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert visitor.get(url + ("&" if "?" in url else "?") + "n=1")["X-Page-Cache"] == "miss"
        counts[url] = len(queries.captured_queries)
    assert counts == {
        "/": 7,
        "/shop/": 7,
        "/shop/t-shirts/": 9,
        "/shop/t-shirts/?sort=price_desc&size=M": 9,
        "/search/?q=tee": 9,
    }

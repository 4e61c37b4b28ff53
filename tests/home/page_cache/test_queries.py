"""SQL per storefront page with the page cache on, at two catalog sizes: none on a hit; on a miss
at most 10, the same at both sizes. The site with its settings, the page tree, view restrictions and
the category index are kept until something they depend on changes, so a miss runs only the
page's own queries, and the first miss after a change reads only what that change touched
(docs/performance.md). The product blocks' fragment cache is left
empty here: these are the counts of a page whose blocks are rendered anew."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from home import fragments
from home.site_settings import AnnouncementSettings
from shop.catalog.models import Product
from tests.factories import grid, landing, make_product, make_wagtail_image, stream

pytestmark = pytest.mark.django_db

MISS_LIMIT = 10
KEPT_LOOKUP = fragments.lookup  # the fragment cache itself, which the next fixture empties


def unseen(url: str, parameter: str) -> str:
    """The same page under a key of its own in this generation: a miss."""
    return url + ("&" if "?" in url else "?") + parameter


def miss_and_its_queries(client: Client, url: str) -> tuple[HttpResponse, list[dict]]:
    """A page the cache has not seen under this address (a miss, asserted) and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response, queries.captured_queries


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
        miss_url = unseen(url, "again=1")  # a key of its own: a miss
        with django_assert_max_num_queries(MISS_LIMIT):
            miss = visitor.get(miss_url)
        assert miss["X-Page-Cache"] == "miss", url
        with django_assert_num_queries(0):
            assert visitor.get(miss_url)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("size", [3, 30])
def test_the_miss_counts_are_the_same_at_both_sizes(home, shop_index, tshirt_page, tshirts, size, settings):
    """The exact numbers, so a query that grows with products (or a new one) is seen."""
    for i in range(size):
        product = make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M"))
        product.tags.add("summer")
        product.save()
    home.body = stream(grid(source="category", category=tshirts.pk, limit=48))
    home.save_revision().publish()
    landing(home, "Tee guide")  # search finds pages too: they come with the search, no query more
    landing(home, "Summer", [grid(source="tag", tag="summer"), grid(source="newest")])
    visitor = Client()
    counts = {}
    pages = (
        "/",
        "/summer/",
        "/shop/",
        "/shop/t-shirts/",
        "/shop/t-shirts/?sort=price_desc&size=M",
        "/search/?q=tee",
    )
    for url in pages:
        visitor.get(url)
        counts[url] = len(miss_and_its_queries(visitor, unseen(url, "n=1"))[1])
    # Each one less than while the photos' renditions were a query of their own (shop/catalog/images.py).
    assert counts == {
        "/": 5,
        "/summer/": 5,  # its two grids' ids are one query (home/products.py newest_ids_per_grid)
        "/shop/": 6,
        "/shop/t-shirts/": 6,  # 7 before its ids and their count were one query (shop/core/paging.py)
        "/shop/t-shirts/?sort=price_desc&size=M": 6,
        "/search/?q=tee": 7,
    }


def _changes(home, tshirts, product) -> dict:
    """One real change of each kind that keeps other kept values valid (shop/core/pagecache.py)."""

    def price():
        variant = product.variants.first()
        variant.price_override = (variant.price_override or Decimal("20.00")) + 1
        variant.save()

    def category():
        tshirts.description += "."
        tshirts.save()

    def page():
        home.save_revision().publish()

    def setting():
        bar = AnnouncementSettings.for_site(home.get_site())
        bar.text += "!"
        bar.save()

    return {"one product": price, "a category": category, "a page": page, "a setting": setting}


@pytest.fixture(params=["anonymous", "member"])
def visitor(request, shopper) -> Client:
    """A visitor without cookies, or a signed-in member: the page's own queries are the same,
    the member's request adds one (their session, read with their user)."""
    client = Client()
    if request.param == "member":
        client.force_login(shopper)
    return client


def own_queries(visitor: Client) -> int:
    return 1 if "_auth_user_id" in visitor.session else 0


@pytest.mark.parametrize("catalogue", [30], indirect=True)
def test_the_first_miss_after_a_change_stays_within_the_limit(
    catalogue, home, tshirts, visitor, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """What is kept per process and depends on what changed is read again, once: after one
    product's own change, any other catalog change, a page published (the tree, its view
    restrictions, the category index and the settings read again; the site root paths come with
    the site) or a setting saved, every page stays within the limit, for a member too.
    (A Site or image edit: the next test.)"""
    product = Product.objects.get(slug=catalogue[7].rstrip("/").rsplit("/", 1)[1])
    for kind, change in _changes(home, tshirts, product).items():
        for url in catalogue:
            visitor.get(unseen(url, "before=1"))  # what is kept is current
            with django_capture_on_commit_callbacks(execute=True):
                change()
            with django_assert_max_num_queries(MISS_LIMIT, info=f"first miss after {kind}: {url}"):
                response = visitor.get(url)
            assert response["X-Page-Cache"] == "miss", (kind, url)


# Each page's own queries on a miss after a Site edit, which empties everything kept: the site
# with its settings, the page tree and the category index are read again.
AFTER_A_SITE_EDIT = {
    "home": 9,
    "landing": 8,
    "shop": 8,
    "category": 9,
    "sorted": 9,
    "product": 5,
    "search": 9,
}
# After an image edit only the stored pages and the kept cards and photos are out: the site with
# its settings, the page tree and the category index stay kept.
AFTER_AN_IMAGE_EDIT = {
    "home": 6,
    "landing": 6,
    "shop": 6,
    "category": 6,
    "sorted": 6,
    "product": 3,
    "search": 7,
}


def _edit_site(site, image):
    site.site_name += "!"
    site.save()


def _edit_image(site, image):
    image.title += "!"
    image.save()


@pytest.mark.parametrize(  # the counts at both sizes; a member's, one more, at one
    ("size", "visitor"), [(3, "anonymous"), (30, "anonymous"), (30, "member")], indirect=["visitor"]
)
@pytest.mark.parametrize(
    ("change", "expected"), [(_edit_site, AFTER_A_SITE_EDIT), (_edit_image, AFTER_AN_IMAGE_EDIT)]
)
def test_after_a_site_or_image_edit_every_first_miss_stays_within_the_limit(
    home,
    shop_index,
    tshirt_page,
    tshirts,
    size,
    change,
    expected,
    visitor,
    django_capture_on_commit_callbacks,
):
    """The demo's pages (a home page with a hero, a category grid and category tiles; a landing
    page with a hero and two grids; no private page) stay within the limit on the first miss
    after the rarest changes too, at both sizes, each counted exactly, for a member too."""
    products = [make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M")) for i in range(size)]
    for product in products:
        product.tags.add("summer")
    pictured = make_wagtail_image("hero")
    home.body = stream(hero(), grid(source="category", category=tshirts.pk), category_tiles(tshirts))
    home.save_revision().publish()
    sale = landing(home, "Summer", [hero(), grid(source="tag", tag="summer"), grid(source="newest")])
    pages = {"home": "/", "landing": sale.url, "shop": "/shop/", "category": "/shop/t-shirts/"}
    pages |= {"sorted": "/shop/t-shirts/?sort=price_asc", "product": products[0].get_absolute_url()}
    pages |= {"search": "/search/?q=tee"}
    counts = {}
    for name, url in pages.items():
        visitor.get(unseen(url, "before=1"))  # what is kept is current
        with django_capture_on_commit_callbacks(execute=True):
            change(home.get_site(), pictured)
        counts[name] = len(miss_and_its_queries(visitor, url)[1])
    assert counts == {name: count + own_queries(visitor) for name, count in expected.items()}
    assert max(counts.values()) <= MISS_LIMIT


@pytest.mark.parametrize("size", [3, 30])
def test_a_listing_whose_cards_are_kept_reads_no_product(
    home, shop_index, tshirt_page, tshirts, size, monkeypatch
):
    """Category pages, search and the shop index list ids, then take each card from the fragment
    cache (home/products.py listing_cards): a miss after the cards were kept reads no product,
    photo or variant, whatever the number of products."""
    monkeypatch.setattr(fragments, "lookup", KEPT_LOOKUP)
    for i in range(size):
        make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M"))
    visitor = Client()
    counts = {}
    for url in ("/shop/", "/shop/t-shirts/", "/shop/t-shirts/?sort=price_desc&size=M", "/search/?q=tee"):
        visitor.get(unseen(url, "n=1"))  # keeps the cards
        response, queries = miss_and_its_queries(visitor, unseen(url, "n=2"))
        assert response.content.decode().count("product-card") >= min(size, 3), url
        read = " ".join(query["sql"] for query in queries)
        for table in ("catalog_productimage", "wagtailimages_rendition", "lowest_prior"):  # photos, variants
            assert table not in read, (url, table)
        counts[url] = len(queries)
    # The routed page; then its category pages and the newest ids (shop index), the ids with
    # their count and the facets (category), the SKU, the hits and the facets (search).
    assert counts == {
        "/shop/": 3,
        "/shop/t-shirts/": 3,
        "/shop/t-shirts/?sort=price_desc&size=M": 3,
        "/search/?q=tee": 4,
    }

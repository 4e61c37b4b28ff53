"""What a change invalidates beyond the stored pages (shop/core/pagecache.py, scopes): a page
published keeps the product blocks, one product's change re-renders only the blocks that show
it, and what is kept per process follows only the scopes it depends on. Every stored page is
still out after any of them (test_invalidation.py)."""

import re
from decimal import Decimal

import pytest
from django.test import Client, RequestFactory
from wagtail.images.rect import Rect

from home import products as home_products
from home.site_settings import NavigationSettings, SeoSettings
from shop.cart.services import add_item, get_or_create_cart
from shop.catalog.models import ProductVariant
from shop.core import pagecache
from shop.orders import services as orders
from tests.factories import grid, landing, make_product, make_wagtail_image, stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def fetched(monkeypatch):
    """The product ids each render fetched from the database for its product blocks."""
    calls: list[set[int]] = []
    real = home_products.fetch_products

    def spy(ids):
        ids = list(ids)
        calls.append({pk for pk in ids if pk})
        return real(ids)

    monkeypatch.setattr(home_products, "fetch_products", spy)
    return calls


@pytest.fixture
def two_blocks(home, tshirt_page):
    """The home page with one featured product block per product."""
    first = make_product("First tee", sizes=("M",), stock=1)
    second = make_product("Second tee", sizes=("M",), stock=3)
    home.body = stream(*[("featured_product", {"product": p.pk}) for p in (first, second)])
    home.save_revision().publish()
    return first, second


def miss(url: str) -> str:
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode()


def test_publishing_a_page_keeps_the_product_blocks(home, two_blocks, commit, fetched):
    miss("/?from=ad-1")
    home.title = home.seo_title = "Fresh title"
    with commit():
        home.save_revision().publish()
    page = miss("/?from=ad-1")
    assert "Fresh title" in page
    assert all(p.name in page for p in two_blocks)
    assert fetched[-1] == set()  # both blocks came from their fragments


def test_a_price_change_renders_only_the_block_that_shows_the_product(two_blocks, commit, fetched):
    first, second = two_blocks
    miss("/?from=ad-1")
    with commit():
        variant = first.variants.get()
        variant.price_override = Decimal("12.34")
        variant.save()
    page = miss("/?from=ad-1")
    assert "12.34" in page and second.name in page
    assert fetched[-1] == {first.pk}


def test_a_checkout_selling_out_renders_only_the_block_that_shows_the_product(two_blocks, commit, fetched):
    first, second = two_blocks
    miss("/?from=ad-1")
    cart = get_or_create_cart(session_key="checkout-session")
    add_item(cart, first.variants.get(), 1)
    details = orders.ShippingDetails("a@example.com", "Ada", "1 Road", "Town", "12345", "DE")
    with commit():
        order = orders.place_order(cart, details)
    page = miss("/?from=ad-1")
    assert page.count("Sold out") >= 1 and second.name in page
    assert fetched[-1] == {first.pk}
    with commit():
        orders.cancel_order(order, actor_label="test")
    assert "Sold out" not in miss("/?from=ad-1")
    assert fetched[-1] == {first.pk}


def test_a_new_image_changes_nothing_shown_but_an_edited_one_empties_the_stored_pages(two_blocks, commit):
    Client().get("/")
    with commit():
        image = make_wagtail_image("not used yet")
    assert Client().get("/")["X-Page-Cache"] == "hit"
    image.title = "Renamed"
    with commit():
        image.save()
    assert Client().get("/")["X-Page-Cache"] == "miss"


def renditions_of(image, page: str) -> set[str]:
    """The URLs of this image's renditions in a page (their names carry the focal point)."""
    stem = image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return set(re.findall(rf"/media/images/{re.escape(stem)}\.[^\s\"]+", page))


def test_an_image_edit_keeps_the_site_settings_and_trees_but_not_the_cards(home, tshirts, commit):
    """A photo's new focal point gives its renditions new URLs: the kept cards and product
    blocks that show it are rendered anew, while the kept site, settings, page tree and category
    index (which show no image) stay."""
    pictured = make_product("Pictured tee", category=tshirts, images=1, sizes=("M",))
    home.body = stream(("featured_product", {"product": pictured.pk}))
    home.save_revision().publish()
    photo = pictured.images.get().image
    old_urls = renditions_of(photo, miss("/?from=ad-1"))
    assert old_urls
    kept_before = dict(pagecache._memo)
    photo.set_focal_point(Rect(0, 0, 100, 100))
    with commit():
        photo.save()
    new_urls = renditions_of(photo, miss("/?from=ad-1"))
    assert new_urls and not new_urls & old_urls
    for key, (_stamp, value) in kept_before.items():
        if key[0] in ("site", "settings", "page-tree", "category-tree"):
            assert pagecache._memo[key][1] is value, key


def test_the_default_share_image_follows_an_image_edit(home, commit):
    """The SEO settings are kept until a setting or a page changes; their default share image's
    URL is kept until an image changes."""
    image = make_wagtail_image("share")
    seo = SeoSettings.for_site(home.get_site())
    seo.default_image = image
    with commit():
        seo.save()
    old_url = image.get_rendition("fill-1200x630").url
    assert old_url in miss("/?from=ad-1")
    image.set_focal_point(Rect(0, 0, 64, 64))
    with commit():
        image.save()
    image.refresh_from_db()  # the focal point as stored (whole pixels): its renditions' names
    page = miss("/?from=ad-1")
    assert old_url not in page
    assert image.get_rendition("fill-1200x630").url in page


def test_a_category_slug_change_moves_its_page_in_the_kept_tree(tshirts, tshirt_page, product, commit):
    assert "/shop/t-shirts/" in miss("/shop/t-shirts/")
    tshirts.slug = "tees"
    with commit():
        tshirts.save()
    response = Client().get("/shop/tees/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    old = Client().get("/shop/t-shirts/")  # a stale tree would still serve the page here
    assert (old.status_code, old["Location"]) == (301, "/shop/tees/")


def test_kept_values_follow_only_the_scopes_they_depend_on():
    request = RequestFactory().get("/")
    computed = []

    def kept(depends_on):
        return pagecache.memo(
            request, ("test-scopes", depends_on), lambda: computed.append(1) or len(computed), depends_on
        )

    request.page_cache_scopes = {pagecache.CATALOG: 1, pagecache.PAGES: 1, pagecache.SETTINGS: 1}
    assert kept((pagecache.PAGES,)) == 1
    assert kept((pagecache.PAGES,)) == 1
    request.page_cache_scopes = {pagecache.CATALOG: 2, pagecache.PAGES: 1, pagecache.SETTINGS: 2}
    assert kept((pagecache.PAGES,)) == 1  # a catalog or settings change keeps it
    request.page_cache_scopes = {pagecache.CATALOG: 2, pagecache.PAGES: 2, pagecache.SETTINGS: 2}
    assert kept((pagecache.PAGES,)) == 2


def test_only_a_catalog_change_names_its_products():
    with pytest.raises(ValueError):
        pagecache.invalidate_pages(pagecache.PAGES, products=[1])
    with pytest.raises(ValueError):
        pagecache.invalidate_pages("everything")


def test_a_menu_link_follows_its_page(home, tshirt_page, commit):
    """The menu setting is kept until a setting is saved or a page changes: its links show pages."""
    sale = landing(home, "Winter sale")
    menu = NavigationSettings.for_site(home.get_site())
    menu.links = [("link", {"label": "Winter sale", "page": sale, "url": ""})]
    with commit():
        menu.save()
    assert 'href="/winter-sale/"' in miss("/")
    with commit():
        sale.unpublish()
    assert 'href="/winter-sale/"' not in miss("/")


def test_breadcrumbs_from_the_kept_tree_are_wagtails(
    home, shop_index, tshirt_page, django_assert_num_queries
):
    """The kept tree answers what page.get_ancestors() and get_full_url() would, without a query."""
    from home import seo

    plain = RequestFactory().get("/shop/t-shirts/", HTTP_HOST="localhost")
    expected = seo._breadcrumbs(tshirt_page, plain)
    kept = RequestFactory().get("/shop/t-shirts/", HTTP_HOST="localhost")
    kept.page_cache_scopes = pagecache.generations()
    kept.page_cache_generation = pagecache.generation_of(kept.page_cache_scopes)
    seo._breadcrumbs(tshirt_page, kept)  # the tree read once
    with django_assert_num_queries(0):
        assert seo._breadcrumbs(tshirt_page, kept) == expected
    assert [title for title, _ in expected] == [home.title, shop_index.title, tshirt_page.title]


def test_a_grid_rendered_anew_takes_the_other_cards_from_the_cache(home, tshirt_page, commit, fetched):
    first = make_product("First tee", sizes=("M",), images=1)
    second = make_product("Second tee", sizes=("M",), images=1)
    home.body = stream(grid([first.pk, second.pk], heading="Picks"))
    home.save_revision().publish()
    before = miss("/?from=ad-1")
    with commit():
        variant = first.variants.get()
        variant.price_override = Decimal("12.34")
        variant.save()
    after = miss("/?from=ad-1")
    assert fetched[-1] == {first.pk}  # the second card came from the cache
    assert "12.34" in after
    second_card = before.split('<div class="col">')[2].split("</article>")[0]
    assert second.name in second_card and second_card in after
    with commit():
        ProductVariant.objects.filter(pk=variant.pk).update(price_override=Decimal("15.00"))
        pagecache.invalidate_pages(pagecache.CATALOG)  # a change beyond one product: every card anew
    assert "15.00" in miss("/?from=ad-1")
    assert fetched[-1] == {first.pk, second.pk}


def test_a_featured_product_is_shown_even_when_its_grid_card_is_kept(home, tshirt_page, commit):
    """Both blocks edited (new fragment keys) while the product's grid card is kept."""
    tee = make_product("Kept tee", sizes=("M",), images=1)
    home.body = stream(grid([tee.pk], heading="Picks"), ("featured_product", {"product": tee.pk}))
    with commit():
        home.save_revision().publish()
    miss("/?from=ad-1")  # the grid's card and both blocks kept
    featured = ("featured_product", {"product": tee.pk, "text": "Back in black"})
    home.body = stream(grid([tee.pk], heading="Our picks"), featured)
    with commit():
        home.save_revision().publish()
    page = miss("/?from=ad-1")
    assert "Our picks" in page and "Back in black" in page
    assert page.count(f"View {tee.name}") == 1  # the featured block's own button

import pytest

from home.models import HomePage
from shop.catalog.services import soft_delete_product
from tests.factories import grid, landing, make_product, stream

pytestmark = pytest.mark.django_db


def test_home_page_renders_its_blocks(client, home, product, tshirt_page):
    home.body = stream(
        (
            "hero",
            {
                "heading": "New season",
                "text": "Fresh cotton.",
                "call_to_action": {"label": "Shop", "url": "/shop/"},
            },
        ),
        ("featured_product", {"product": product.pk, "heading": "", "text": "Our favourite."}),
        grid([product.pk]),
        (
            "category_tiles",
            {
                "heading": "Shop by category",
                "tiles": [{"category": product.category_id, "label": "", "image": None}],
            },
        ),
        (
            "promo_banner",
            {
                "heading": "Free shipping over 75",
                "text": "",
                "style": "dark",
                "link": {"label": "", "url": ""},
            },
        ),
        ("call_to_action", {"label": "See everything", "url": "/shop/", "style": "primary"}),
        ("rich_text", "<p>Made to last.</p>"),
    )
    home.save_revision().publish()
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "New season" in body
    assert "Our favourite." in body
    assert body.count("Plain tee") >= 2
    assert 'href="/shop/t-shirts/"' in body
    assert "Free shipping over 75" in body
    assert "See everything" in body
    assert "Made to last." in body


def test_landing_page_renders_with_breadcrumbs(client, home, product):
    page = landing(home, "Summer hoodies sale", [grid([product.pk])])
    response = client.get(page.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Summer hoodies sale" in body
    assert '"@type": "BreadcrumbList"' in body
    assert "Plain tee" in body


def test_shop_index_lists_category_pages(client, shop_index, tshirt_page, product):
    response = client.get("/shop/")
    assert response.status_code == 200
    assert 'href="/shop/t-shirts/"' in response.content.decode()


def test_category_page_url_follows_the_category_slug(tshirt_page):
    assert tshirt_page.slug == "t-shirts"
    assert tshirt_page.url == "/shop/t-shirts/"


def test_category_page_lists_buyable_products_added_later(client, tshirt_page, tshirts):
    make_product("Sold out tee", category=tshirts, stock=0)
    make_product("Striped tee", category=tshirts)
    body = client.get("/shop/t-shirts/").content.decode()
    assert "Striped tee" in body
    assert "Sold out tee" not in body


def test_product_blocks_follow_price_changes_and_soft_delete(client, home, product):
    page = landing(home, "Picks", [grid([product.pk]), ("featured_product", {"product": product.pk})])
    assert "19.00" in client.get(page.url).content.decode()
    product.base_price = "14.50"
    product.save()
    body = client.get(page.url).content.decode()
    assert "14.50" in body and "19.00" not in body
    soft_delete_product(product)
    body = client.get(page.url).content.decode()
    assert response_ok(client, page.url)
    assert "Plain tee" not in body


def test_inactive_products_are_skipped(client, home, product):
    page = landing(home, "Picks", [grid([product.pk])])
    product.is_active = False
    product.save()
    assert "Plain tee" not in client.get(page.url).content.decode()


def response_ok(client, url: str) -> bool:
    return client.get(url).status_code == 200


def test_home_page_is_unique_root():
    assert HomePage.max_count == 1


def test_category_page_follows_a_category_slug_change(
    client, tshirt_page, tshirts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tshirts.slug = "tees"
        tshirts.save()
    tshirt_page.refresh_from_db()
    assert tshirt_page.url == "/shop/tees/"
    assert client.get("/shop/tees/").status_code == 200
    old = client.get("/shop/t-shirts/")
    assert old.status_code == 301 and old["Location"].endswith("/shop/tees/")


def test_grid_sources_newest_of_a_category_and_by_tag(client, home, tshirts, hoodies):
    from django.utils import timezone

    now = timezone.now()
    old = make_product("Old tee", category=tshirts, created_at=now.replace(year=now.year - 1))
    make_product("New tee", category=tshirts, created_at=now)
    make_product("Hoodie", category=hoodies)
    old.tags.add("Summer")
    old.save()
    page = landing(
        home,
        "Grids",
        [
            grid(source="category", category=tshirts.pk, limit=1, heading="Newest tee"),
            grid(source="tag", tag="summer", heading="Summer"),
        ],
    )
    body = client.get(page.url).content.decode()
    newest, summer = body.split("Newest tee", 1)[1].split("<h2", 1)
    assert "New tee" in newest and "Old tee" not in newest and "Hoodie" not in newest
    assert "Old tee" in summer and "New tee" not in summer

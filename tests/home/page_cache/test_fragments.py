"""Product blocks rendered once per generation (home/fragments.py): reused by other misses, and
never showing a price or stock from before a committed change."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.catalog import services as catalog
from tests.factories import grid, stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def shop(home, tshirt_page, product):
    home.body = stream(grid([product.pk], heading="Picks"), ("featured_product", {"product": product.pk}))
    home.save_revision().publish()
    return product


def miss(url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_a_miss_reuses_the_blocks_rendered_in_the_same_generation(shop):
    first, _ = miss("/?from=ad-1")
    again, queries = miss("/?from=ad-2")
    assert not [sql for sql in queries if "catalog_productvariant" in sql]  # no product fetched
    assert shop.name in again
    assert first.split("<main", 1)[1] == again.split("<main", 1)[1]


def test_a_price_change_shows_on_the_next_request(shop, commit):
    miss("/?from=ad-1")
    miss("/?from=ad-2")  # the blocks now come from the fragment cache
    with commit():
        for variant in shop.variants.all():
            variant.price_override = Decimal("12.34")
            variant.save()
    page, queries = miss("/?from=ad-2")
    assert page.count("12.34") >= 2  # the grid's card and the featured product
    assert [sql for sql in queries if "catalog_productvariant" in sql]


def test_selling_out_shows_on_the_next_request(shop, commit):
    miss("/?from=ad-1")
    miss("/?from=ad-2")
    edits = [catalog.StockEdit(v.pk, posted=0, shown=v.stock) for v in shop.variants.all()]
    with commit():
        catalog.apply_stock_edits(shop.pk, edits, lambda: None)
    page, _ = miss("/?from=ad-3")
    assert "Sold out" in page


def test_editors_and_previews_never_use_it(shop, client, marketer):
    miss("/?from=ad-1")
    client.force_login(marketer)
    with CaptureQueriesContext(connection) as queries:
        assert "X-Page-Cache" not in client.get("/?from=ad-1")
    assert [q for q in queries.captured_queries if "catalog_productvariant" in q["sql"]]


def test_a_listing_loads_its_first_row_of_photos_at_once_kept_or_not(tshirt_page, tshirts):
    """Listing cards are kept eager (first row) or lazy, each under its own key: a kept card
    never turns a lazy photo eager or the other way round."""
    from tests.factories import make_product

    for i in range(5):
        make_product(f"Tee {i}", category=tshirts, images=1)
    for url in ("/shop/t-shirts/", "/search/?q=tee"):
        for n in (1, 2):  # rendered and kept, then taken from the kept cards
            html = Client().get(f"{url}{'&' if '?' in url else '?'}n={n}").content.decode()
            assert html.count('class="card-img-top"') == 5, (url, n)
            assert html.count('loading="lazy"') == 2, (url, n)

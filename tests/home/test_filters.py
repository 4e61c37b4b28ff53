"""Filters and facets on category and search pages: size, colour, price, in stock."""

import re
from decimal import Decimal

import pytest

from shop.catalog.models import ProductVariant
from tests.factories import make_product

pytestmark = pytest.mark.django_db
URL = "/shop/t-shirts/"
# the same at both sizes (19 before the ids and their count were one query, 18 before the photos'
# renditions came with the photos)
FILTERED_QUERIES = 17


def names(html: str) -> list[str]:
    return re.findall(r'class="stretched-link[^"]*" href="[^"]+">([^<]+)</a>', html)


def facet(html: str, name: str, value: str) -> tuple[int, bool]:
    """(count, disabled) of a facet checkbox."""
    match = re.search(
        rf'<input class="form-check-input" type="checkbox" name="{name}" value="{re.escape(value)}"'
        rf"[^>]*?( disabled)?>\s*<label[^>]*>{re.escape(value)} <span[^>]*>\((\d+)\)",
        html,
    )
    assert match, (name, value)
    return int(match.group(2)), bool(match.group(1))


@pytest.fixture
def catalog(tshirt_page, tshirts):
    black = make_product("Black tee", category=tshirts, colours=("Black",), sizes=("S", "M"), price="20.00")
    make_product("White tee", category=tshirts, colours=("White",), sizes=("M", "L"), price="30.00")
    both = make_product("Duo tee", category=tshirts, colours=("Black", "White"), sizes=("L",), price="40.00")
    ProductVariant.objects.filter(product=black, size="M").update(stock=0)
    ProductVariant.objects.filter(product=both, colour="White").update(price_override=Decimal("25.00"))
    return tshirt_page


def test_size_colour_and_price_filter_one_variant(client, catalog):
    assert sorted(names(client.get(URL, {"size": "M"}).content.decode())) == ["Black tee", "White tee"]
    html = client.get(URL, {"size": "L", "colour": "Black"}).content.decode()
    assert names(html) == ["Duo tee"]
    # Duo tee is 25.00 in white only: the price range applies to the variant that matches.
    assert names(client.get(URL, {"colour": "White", "max_price": "26"}).content.decode()) == ["Duo tee"]
    assert names(client.get(URL, {"colour": "Black", "max_price": "26"}).content.decode()) == ["Black tee"]
    both = client.get(URL, {"size": ["S", "L"], "min_price": "21"}).content.decode()
    assert sorted(names(both)) == ["Duo tee", "White tee"]


def test_in_stock_only_drops_sold_out_sizes(client, catalog):
    assert sorted(names(client.get(URL, {"size": "M"}).content.decode())) == ["Black tee", "White tee"]
    assert names(client.get(URL, {"size": "M", "in_stock": "1"}).content.decode()) == ["White tee"]


def test_facet_counts_follow_the_other_filters(client, catalog):
    html = client.get(URL).content.decode()
    assert facet(html, "size", "M") == (2, False)
    assert facet(html, "colour", "Black") == (2, False)
    html = client.get(URL, {"colour": "White"}).content.decode()
    assert facet(html, "size", "S") == (0, True)  # no white S: shown, disabled
    assert facet(html, "size", "L") == (2, False)
    assert facet(html, "colour", "Black") == (2, False)  # a facet ignores its own choice
    html = client.get(URL, {"size": "S", "in_stock": "1"}).content.decode()
    assert facet(html, "colour", "White") == (0, True)
    assert facet(html, "size", "M") == (1, False)


def test_filtered_pages_are_not_indexed_and_point_to_the_list(client, catalog):
    html = client.get(URL, {"size": "M", "sort": "price_asc"}).content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html
    assert '<link rel="canonical" href="http://testserver/shop/t-shirts/">' in html
    assert '<a href="/shop/t-shirts/">Clear filters</a>' in html
    assert 'name="robots"' not in client.get(URL).content.decode()


def test_pagination_and_sort_keep_the_filters(client, tshirt_page, tshirts):
    for i in range(26):
        make_product(f"Tee {i}", category=tshirts, sizes=("M",))
    make_product("Small tee", category=tshirts, sizes=("S",))
    html = client.get(URL, {"size": "M", "sort": "price_asc"}).content.decode()
    assert 'href="?size=M&amp;sort=price_asc&amp;page=2"' in html
    assert '<input type="hidden" name="size" value="M">' in html  # the sort form carries the filter
    assert "Small tee" not in client.get(URL, {"size": "M", "page": "2"}).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"min_price": "abc"},
        {"min_price": "-5"},
        {"max_price": "1e400"},
        {"size": ["x" * 500, "M"] * 50},
        {"colour": "\x00"},
        {"in_stock": "yes please"},
    ],
)
def test_bad_filter_input_is_a_message_or_ignored_never_an_error(client, catalog, query):
    response = client.get(URL, query)
    # NUL bytes are refused for every URL by the hostile-input middleware; the rest is the filter's job.
    has_nul = any("\x00" in str(value) for value in query.values())
    assert response.status_code == (400 if has_nul else 200)


def test_a_bad_price_is_explained_on_its_field_and_not_applied(client, catalog):
    html = client.get(URL, {"min_price": "abc", "size": "M"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="id_min_price-error"' in html
    assert 'id="id_min_price-error">Enter a number.' in html
    assert sorted(names(html)) == ["Black tee", "White tee"]
    html = client.get(URL, {"min_price": "30", "max_price": "10"}).content.decode()
    assert "The maximum price must not be below the minimum price." in html


def test_search_results_filter_the_same_way(client, catalog):
    html = client.get("/search/", {"q": "tee", "colour": "White", "size": "M"}).content.decode()
    assert names(html) == ["White tee"]
    assert facet(html, "size", "L") == (2, False)
    assert 'href="/search/?q=tee">Clear filters</a>' in html


@pytest.mark.parametrize("count", [4, 40])
def test_filtered_category_queries_do_not_grow(
    client, tshirt_page, tshirts, count, django_assert_num_queries
):
    for i in range(count):
        make_product(f"Tee {i}", category=tshirts, images=1, sizes=("S", "M"), colours=("Black", "Sand"))
    query = {"size": "M", "colour": "Sand", "min_price": "1", "in_stock": "1"}
    client.get(URL, query)
    with django_assert_num_queries(FILTERED_QUERIES) as queries:
        html = client.get(URL, query).content.decode()
    print(f"filtered category page, {count} products: {len(queries)} queries")
    assert len(names(html)) == min(count, 24)

"""The content pages run a fixed number of SQL queries whatever the number of products."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import HomePage
from home.products import CategoryTree, resolve_stream
from tests.factories import grid, make_category, make_product, stream

pytestmark = pytest.mark.django_db

# Measured: see docs/content.md. The same bound holds at both data sizes.
HOME_MAX_QUERIES = 18
CATEGORY_MAX_QUERIES = 22  # 20 before facets; the size and colour facets are one grouped query each


def _products(category, count: int) -> list:
    return [make_product(f"Tee {i}", category=category, images=1, sizes=("M",)) for i in range(count)]


def _render_twice(client, url: str) -> None:
    """The first visit creates the renditions; steady state is what counts."""
    for _ in range(2):
        assert client.get(url).status_code == 200


def _home_with(home, products, category) -> None:
    ids = [p.pk for p in products]
    home.body = stream(
        ("hero", {"heading": "New season", "text": "", "call_to_action": {"label": "", "url": ""}}),
        ("featured_product", {"product": ids[0], "heading": "", "text": ""}),
        grid(ids, limit=48),
        grid(source="category", category=category.pk, limit=48),
        (
            "category_tiles",
            {"heading": "", "tiles": [{"category": category.pk, "label": "", "image": None}]},
        ),
    )
    home.save_revision().publish()


@pytest.mark.parametrize("count", [4, 48])
def test_home_page_queries_do_not_grow_with_products(
    client, home, tshirt_page, tshirts, count, django_assert_max_num_queries
):
    products = _products(tshirts, count)
    _home_with(home, products, tshirts)
    _render_twice(client, "/")
    with django_assert_max_num_queries(HOME_MAX_QUERIES) as queries:
        response = client.get("/")
    print(f"home page, {count} products: {len(queries)} queries")
    assert response.content.decode().count("product-card") >= count


@pytest.mark.parametrize("count", [4, 48])
def test_category_page_queries_do_not_grow_with_products(
    client, tshirt_page, tshirts, count, django_assert_max_num_queries
):
    _products(tshirts, count)
    _render_twice(client, "/shop/t-shirts/")
    with django_assert_max_num_queries(CATEGORY_MAX_QUERIES) as queries:
        response = client.get("/shop/t-shirts/")
    print(f"category page, {count} products: {len(queries)} queries")
    assert response.status_code == 200
    assert response.content.decode().count("product-card") >= min(count, 24)


def _stream_queries(home, blocks) -> tuple[int, list]:
    home.body = stream(*blocks)
    home.save_revision().publish()
    body = HomePage.objects.get(pk=home.pk).body
    list(body)  # the blocks' own loading is not what is measured
    with CaptureQueriesContext(connection) as queries:
        resolve_stream(body)
    return len(queries), [child.value for child in body]


def test_the_category_tree_is_loaded_once_per_page_whatever_the_number_of_category_grids(home, tshirts):
    """Each category grid costs its own id query; the categories are read once for all of them."""
    sub = make_category("Long sleeves", parent=tshirts, slug="long-sleeves")
    make_product("Tee", category=tshirts, sizes=("M",))
    make_product("Long tee", category=sub, sizes=("M",))
    one, _ = _stream_queries(home, [grid(source="category", category=tshirts.pk)])
    three, grids = _stream_queries(home, [grid(source="category", category=tshirts.pk) for _ in range(3)])
    assert three - one == 2
    for value in grids:
        assert {p.name for p in value.products_live} == {"Tee", "Long tee"}


def test_category_tree_includes_active_descendants_only(tshirts):
    sub = make_category("Long sleeves", parent=tshirts, slug="long-sleeves")
    subsub = make_category("Henleys", parent=sub, slug="henleys")
    hidden = make_category("Hidden", parent=tshirts, slug="hidden", is_active=False)
    make_category("Below hidden", parent=hidden, slug="below-hidden")
    make_category("Hoodies", slug="hoodies")
    assert sorted(CategoryTree.load().with_descendants(tshirts.pk)) == sorted([tshirts.pk, sub.pk, subsub.pk])

"""The content pages run a fixed number of SQL queries whatever the number of products."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.models import HomePage
from home.products import CategoryTree, Newest, newest_ids, newest_ids_per_grid, resolve_stream
from tests.factories import grid, make_category, make_product, stream

pytestmark = pytest.mark.django_db

# Measured, the same at both data sizes: see docs/content.md. Each was one more while the
# photos' renditions were a query of their own (shop/catalog/images.py).
HOME_QUERIES = 12
CATEGORY_QUERIES = 17  # 19 before the ids and their count were one query


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
    client, home, tshirt_page, tshirts, count, django_assert_num_queries
):
    products = _products(tshirts, count)
    _home_with(home, products, tshirts)
    _render_twice(client, "/")
    with django_assert_num_queries(HOME_QUERIES) as queries:
        response = client.get("/")
    print(f"home page, {count} products: {len(queries)} queries")
    assert response.content.decode().count("product-card") >= count


@pytest.mark.parametrize("count", [4, 48])
def test_category_page_queries_do_not_grow_with_products(
    client, tshirt_page, tshirts, count, django_assert_num_queries
):
    _products(tshirts, count)
    _render_twice(client, "/shop/t-shirts/")
    with django_assert_num_queries(CATEGORY_QUERIES) as queries:
        response = client.get("/shop/t-shirts/")
    print(f"category page, {count} products: {len(queries)} queries")
    assert response.status_code == 200
    assert response.content.decode().count("product-card") >= min(count, 24)


def _stream_queries(home, blocks) -> tuple[list[str], list]:
    home.body = stream(*blocks)
    home.save_revision().publish()
    body = HomePage.objects.get(pk=home.pk).body
    list(body)  # the blocks' own loading is not what is measured
    with CaptureQueriesContext(connection) as queries:
        resolve_stream(body)
    return [query["sql"] for query in queries.captured_queries], [child.value for child in body]


def test_the_category_tree_is_loaded_once_per_page_whatever_the_number_of_category_grids(home, tshirts):
    """The categories are read once and the grids' ids found with one query, for any number of grids."""
    sub = make_category("Long sleeves", parent=tshirts, slug="long-sleeves")
    make_product("Tee", category=tshirts, sizes=("M",))
    make_product("Long tee", category=sub, sizes=("M",))
    one, _ = _stream_queries(home, [grid(source="category", category=tshirts.pk)])
    three, grids = _stream_queries(home, [grid(source="category", category=tshirts.pk) for _ in range(3)])
    assert len(three) == len(one)
    for value in grids:
        assert {p.name for p in value.products_live} == {"Tee", "Long tee"}


def _id_queries(home, blocks) -> list[str]:
    """resolve_stream's queries for the grids' ids: the only ones with DISTINCT."""
    return [sql for sql in _stream_queries(home, blocks)[0] if "DISTINCT" in sql]


def test_a_streams_grids_find_their_ids_with_one_query(home, tshirts):
    product = make_product("Tee", category=tshirts, sizes=("M",))
    product.tags.add("summer")
    product.save()
    blocks = [
        grid(source="category", category=tshirts.pk),
        grid(source="newest", limit=4),
        grid([product.pk]),
        grid(source="tag", tag="Summer"),
    ]
    assert len(_id_queries(home, blocks)) == 1
    assert len(_id_queries(home, [grid(source="newest")])) == 1
    assert _id_queries(home, [grid([product.pk])]) == []


def test_the_ids_found_together_are_what_newest_ids_finds_for_each_grid(tshirts, hoodies):
    """Per grid: newest first, the lower id first at the same moment, each product once even
    with two of its tags matching, its own limit."""
    sub = make_category("Long sleeves", parent=tshirts, slug="long-sleeves")
    subsub = make_category("Henleys", parent=sub, slug="henleys")
    now = timezone.now()
    made = {}
    for i, (category, days) in enumerate(
        [(tshirts, 5), (sub, 1), (subsub, 1), (hoodies, 3), (tshirts, 1), (hoodies, 0), (subsub, 7), (sub, 2)]
    ):
        made[i] = make_product(
            f"P{i}", category=category, sizes=("M",), created_at=now - timedelta(days=days)
        )
    make_product("Sold out", category=tshirts, sizes=("M",), stock=0, created_at=now)
    for i, tags in {0: ["SUMMER"], 1: ["summer", "Summer"], 3: ["Summer", "sale"], 5: ["winter"]}.items():
        made[i].tags.add(*tags)
        made[i].save()
    tree = CategoryTree.load()
    grids = [
        Newest(tree.with_descendants(tshirts.pk), limit=5),
        Newest(limit=3),
        Newest(tag=" summer ", limit=8),
        Newest(tree.with_descendants(sub.pk), limit=2),
        Newest(tag="nothing-has-it"),
        Newest(tag="SUMMER", limit=2),
        Newest(limit=20),
    ]
    separately = [newest_ids(category_ids=g.category_ids, tag=g.tag, limit=g.limit) for g in grids]
    ids = {made[i].pk: i for i in made}
    assert [[ids[pk] for pk in found] for found in separately] == [
        [1, 2, 4, 7, 0],
        [5, 1, 2],
        [1, 3, 0],
        [1, 2],
        [],
        [1, 3],
        [5, 1, 2, 4, 7, 3, 0, 6],
    ]
    with CaptureQueriesContext(connection) as queries:
        together = newest_ids_per_grid(grids)
    assert len(queries) == 1
    assert together == separately


def test_category_tree_includes_active_descendants_only(tshirts):
    sub = make_category("Long sleeves", parent=tshirts, slug="long-sleeves")
    subsub = make_category("Henleys", parent=sub, slug="henleys")
    hidden = make_category("Hidden", parent=tshirts, slug="hidden", is_active=False)
    make_category("Below hidden", parent=hidden, slug="below-hidden")
    make_category("Hoodies", slug="hoodies")
    assert sorted(CategoryTree.load().with_descendants(tshirts.pk)) == sorted([tshirts.pk, sub.pk, subsub.pk])

"""SQL per page with the page cache on, at two catalog sizes: none on a hit; on a miss, the
page's own queries only (the site and its settings are kept until the next invalidation)."""

import pytest
from django.test import Client

from tests.factories import grid, make_product, stream

pytestmark = pytest.mark.django_db

# Measured on a miss with the site and settings already kept (docs/benchmarks.md).
MISS_MAX_QUERIES = {"/": 14, "/shop/": 14, "/shop/t-shirts/": 16, "/search/?q=tee": 13}


@pytest.mark.parametrize("count", [3, 30])
def test_queries_on_a_miss_and_a_hit_do_not_grow_with_products(
    home, shop_index, tshirt_page, tshirts, count, django_assert_max_num_queries, django_assert_num_queries
):
    products = [make_product(f"Tee {i}", category=tshirts, images=1, sizes=("M",)) for i in range(count)]
    home.body = stream(grid([p.pk for p in products], limit=48), grid(source="category", category=tshirts.pk))
    home.save_revision().publish()
    urls = [*MISS_MAX_QUERIES, products[0].get_absolute_url()]
    visitor = Client()
    for url in urls:  # renditions made, the site and its settings kept
        assert visitor.get(url).status_code == 200
    for url in urls:
        with django_assert_max_num_queries(MISS_MAX_QUERIES.get(url, 4)):
            miss = visitor.get(url, {"again": count})  # a key of its own: a miss
        assert miss["X-Page-Cache"] == "miss", url
        with django_assert_num_queries(0):
            assert visitor.get(url, {"again": count})["X-Page-Cache"] == "hit"

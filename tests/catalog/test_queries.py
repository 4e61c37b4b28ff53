"""The product page and product lists run a constant number of queries, whatever the data size.

Renditions are generated once per photo on its first view (and stored); the
measured requests are the ones after that, as in production.
"""

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from shop.catalog.images import attach_card_pictures
from shop.catalog.models import Product, ProductVariant
from shop.catalog.services import storefront_products
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

# products, their images (+ image rows and the images' renditions, one query), their variants
LIST_QUERIES = 3  # 4 when the renditions were a query of their own
# the same 3 for the product, then the page chrome's site with its settings and the page tree
PAGE_QUERIES = 5  # 6 when the renditions were a query of their own

LIST_TEMPLATE = (
    "{% load catalog_tags %}{% for product in products %}"
    '{% include "catalog/includes/product_card.html" with lazy=forloop.counter0|lazy_after:4 %}'
    "{% endfor %}"
)


def build(count: int, start: int = 0) -> list[Product]:
    category = make_category("T-shirts", slug="t-shirts") if start == 0 else Product.objects.first().category
    return [
        make_product(
            f"Tee {i}", category=category, sizes=("S", "M", "L"), colours=("Black", "White"), images=2
        )
        for i in range(start, start + count)
    ]


def render_list() -> str:
    template = engines["django"].from_string(LIST_TEMPLATE)
    return template.render({"products": list(storefront_products())}, RequestFactory().get("/"))


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.mark.parametrize("count", [3, 12])
def test_product_list_runs_a_constant_number_of_queries(count, django_assert_num_queries):
    build(count)
    render_list()
    with django_assert_num_queries(LIST_QUERIES):
        html = render_list()
    assert html.count('class="card h-100') == count
    assert html.count('loading="lazy"') == max(count - 4, 0)
    assert " 300w, " in html and " 600w" in html


@pytest.mark.parametrize("count", [3, 12])
def test_cards_for_products_from_elsewhere_fetch_photos_in_bulk(count, django_assert_num_queries):
    build(count)
    render_list()
    products = list(Product.objects.all())
    with django_assert_num_queries(1):  # the photos with their renditions
        attach_card_pictures(products)
    assert all(p.picture is not None and " 600w" in p.picture.srcset for p in products)


def _add_variants(product: Product, count: int) -> None:
    for i in range(count):
        ProductVariant.objects.create(
            product=product, size=f"W{i}", colour="Navy", sku=f"X-{product.pk}-{i}", stock=1
        )


@pytest.mark.parametrize("count", [3, 12])
def test_product_page_runs_a_constant_number_of_queries(client, count, django_assert_num_queries):
    product = build(count)[0]
    _add_variants(product, count)
    url = product.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_query_counts_do_not_grow_with_the_data(client):
    product = build(3)[0]
    url = product.get_absolute_url()
    client.get(url)
    render_list()
    small = (count_queries(lambda: client.get(url)), count_queries(render_list))
    build(9, start=3)
    _add_variants(product, 20)
    client.get(url)
    render_list()
    large = (count_queries(lambda: client.get(url)), count_queries(render_list))
    assert small == large
    assert large[1] == LIST_QUERIES

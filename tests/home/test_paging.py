"""A category page's ids and their total in one query (shop/core/paging.py): page for page what
Django's Paginator gives, in every sort, with one query fewer."""

import pytest
from django.core.paginator import Page, Paginator
from django.utils import timezone

from home.models import SORTS
from shop.core.paging import page_of_ids
from tests.factories import make_product

pytestmark = pytest.mark.django_db

PER_PAGE = 4
NUMBERS = [None, "", "1", "2", "3", "4", "99", "9" * 30, "0", "-1", "abc", "1.5", "2.0", " 2 ", 2, 2.0, 2.5]


def shown(page: Page) -> tuple:
    paginator = page.paginator
    return (
        page.number,
        list(page.object_list),
        paginator.count,
        paginator.num_pages,
        page.has_previous(),
        page.has_next(),
        page.start_index(),
        page.end_index(),
    )


@pytest.fixture
def listing(tshirt_page, tshirts, request):
    """`request.param` products, ties in price and in age so the whole order is used (down to pk)."""
    now = timezone.now()
    for i in range(request.param):
        price = ["20.00", "10.00"][i % 2]
        make_product(f"Tee {i}", category=tshirts, price=price, sizes=("M",), created_at=now)
    return tshirt_page


# None, less than a page, an exact multiple of the page size, a last page of two.
@pytest.mark.parametrize("listing", [0, 3, 8, 10], indirect=True)
def test_every_page_is_the_one_djangos_paginator_gives(listing):
    for sort in SORTS:
        products = listing.products(sort)
        ids = products.prefetch_related(None).values_list("pk", flat=True)
        for number in NUMBERS:
            expected = Paginator(ids, PER_PAGE).get_page(number)
            assert shown(page_of_ids(products, number, PER_PAGE)) == shown(expected), (sort, number)


@pytest.mark.parametrize(
    ("number", "queries"),
    [
        ("1", 1),
        ("2", 1),
        ("3", 1),  # the last page
        ("abc", 1),
        ("0", 1),  # the last page, read backwards at once
        ("9" * 30, 1),  # past the end whatever the listing: read backwards at once
        ("4", 2),  # past the end: empty, then the last page read backwards
    ],
)
@pytest.mark.parametrize("listing", [10], indirect=True)
@pytest.mark.parametrize("sort", ["newest", "price_asc"])
def test_one_query_for_the_page_and_its_count(listing, sort, number, queries, django_assert_num_queries):
    products = listing.products(sort)
    with django_assert_num_queries(queries):
        shown(page_of_ids(products, number, PER_PAGE))


@pytest.mark.parametrize("listing", [0], indirect=True)
def test_an_empty_listing_is_an_empty_first_page_in_one_query(listing, django_assert_num_queries):
    products = listing.products("newest")
    with django_assert_num_queries(1):
        page = page_of_ids(products, None, PER_PAGE)
        assert shown(page) == (1, [], 0, 1, False, False, 0, 0)

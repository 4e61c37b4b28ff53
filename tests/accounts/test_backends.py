"""ShopModelBackend: a member's request reads their user, whether they may use the admin and
their cart's count in one query; the count read with them is used only where it is still now."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from shop.accounts.backends import ShopModelBackend
from shop.cart import services
from shop.cart.session import cart_count
from tests.factories import make_variant

pytestmark = pytest.mark.django_db


def header_count(html: str) -> str:
    return html.split("data-cart-count>", 1)[1].split("<", 1)[0]


def test_a_members_page_reads_their_session_then_everything_else_in_one_query(shopper, site_root, page_cache):
    services.add_item(services.get_or_create_cart(shopper), make_variant(stock=10), 2)
    member = Client()
    member.force_login(shopper)
    member.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = member.get("/").content.decode()
    assert header_count(page) == "2"
    assert len(queries) == 2, [q["sql"][:80] for q in queries]  # the session, the user with the rest


def test_a_change_from_another_device_shows_on_the_next_page(shopper, site_root, page_cache):
    cart = services.get_or_create_cart(shopper)
    services.add_item(cart, make_variant(stock=10), 1)
    member = Client()
    member.force_login(shopper)
    assert header_count(member.get("/").content.decode()) == "1"
    services.add_item(cart, make_variant(stock=10), 3)  # their phone, say
    assert header_count(member.get("/").content.decode()) == "4"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_request_that_may_change_the_cart_counts_it_again(shopper, method):
    cart = services.get_or_create_cart(shopper)
    services.add_item(cart, make_variant(stock=10), 1)
    loaded = ShopModelBackend().get_user(shopper.pk)
    services.add_item(cart, make_variant(stock=10), 2)  # after the user was read
    changing = getattr(RequestFactory(), method)("/cart/update/")
    changing.user = loaded
    assert cart_count(changing) == 3
    reading = RequestFactory().get("/")
    reading.user = loaded
    with CaptureQueriesContext(connection) as queries:
        assert cart_count(reading) == 1  # as read with the user: a GET changes no cart
    assert len(queries) == 0


def test_a_member_without_a_cart_counts_zero_with_no_query_of_its_own(shopper):
    loaded = ShopModelBackend().get_user(shopper.pk)
    request = RequestFactory().get("/")
    request.user = loaded
    with CaptureQueriesContext(connection) as queries:
        assert cart_count(request) == 0
    assert len(queries) == 0

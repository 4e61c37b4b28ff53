"""A member's request reads their session, their user, whether they may use the admin and their
cart's count in one query (shop.core.sessions, shop.core.session_user, ShopModelBackend); the
count read with them is used only where it is still now."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from shop.accounts.backends import ShopModelBackend
from shop.cart import services
from shop.cart.session import cart_count
from shop.core.models import Session
from tests.factories import make_variant

pytestmark = pytest.mark.django_db


def header_count(html: str) -> str:
    return html.split("data-cart-count>", 1)[1].split("<", 1)[0]


def test_a_members_page_reads_their_session_and_everything_else_in_one_query(shopper, site_root, page_cache):
    services.add_item(services.get_or_create_cart(shopper), make_variant(stock=10), 2)
    member = Client()
    member.force_login(shopper)
    member.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = member.get("/")
    assert response.wsgi_request.user == shopper
    assert header_count(response.content.decode()) == "2"
    assert len(queries) == 1, [q["sql"][:80] for q in queries]


def test_a_session_written_before_it_named_its_user_still_signs_them_in(shopper, site_root, page_cache):
    member = Client()
    member.force_login(shopper)
    member.get("/")
    Session.objects.update(user=None)  # a row from Django's engine, copied by core.0001
    with CaptureQueriesContext(connection) as queries:
        response = member.get("/")
    assert response.wsgi_request.user == shopper
    assert len(queries) == 2  # the session, then the user with the rest (ShopModelBackend)


def test_the_user_is_the_one_the_session_data_names_not_the_rows_column(shopper, site_root, page_cache):
    other = get_user_model().objects.create_user(email="other@example.com", password="x-Unused-1")
    member = Client()
    member.force_login(shopper)
    Session.objects.update(user=other)
    assert member.get("/").wsgi_request.user == shopper


def test_a_password_changed_elsewhere_signs_the_session_out(shopper, site_root, page_cache):
    member = Client()
    member.force_login(shopper)
    assert member.get("/").wsgi_request.user == shopper
    shopper.set_password("a-New-password-2")
    shopper.save()
    assert not member.get("/").wsgi_request.user.is_authenticated


def test_a_deactivated_member_is_signed_out(shopper, site_root, page_cache):
    member = Client()
    member.force_login(shopper)
    get_user_model().objects.filter(pk=shopper.pk).update(is_active=False)
    assert not member.get("/").wsgi_request.user.is_authenticated


def test_the_row_names_its_user_from_login_to_logout(shopper, site_root):
    member = Client()
    member.force_login(shopper)
    key = member.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == shopper.pk
    member.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(user=shopper).exists()


def test_deleting_a_user_deletes_their_sessions(shopper, site_root):
    Client().force_login(shopper)
    Client().force_login(shopper)
    assert Session.objects.filter(user=shopper).count() == 2
    shopper.delete()
    assert not Session.objects.filter(user_id=shopper.pk).exists()


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

"""The cart page in a kept copy of the site's chrome (shop/core/shell.py): the same page as a whole
render, the chrome kept until its scopes change, and nothing of one visitor in another's page."""

import re

import pytest
from django.test import Client

from home.site_settings import AnnouncementSettings
from shop.cart.services import add_item, get_or_create_cart
from shop.core import pagecache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _cart_page(client) -> str:
    response = client.get("/cart/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    return response.content.decode()


def _without_tokens(page: str) -> str:
    return re.sub(r"\s+", " ", TOKEN.sub("TOKEN", page))


def _guest_with(product, quantity: int) -> Client:
    guest = Client()
    response = guest.post("/cart/add/", {"variant": product.variants.first().pk, "quantity": quantity})
    assert response.status_code == 302
    _cart_page(guest)  # shows (and so consumes) the "Added" message
    return guest


def test_the_cart_page_from_the_kept_chrome_is_the_page_rendered_whole(client, home, product, settings):
    guest = _guest_with(product, 2)
    first, kept = _cart_page(guest), _cart_page(guest)
    settings.PAGE_CACHE_SECONDS = 0  # no generations: the template renders whole
    whole = _cart_page(guest)
    assert _without_tokens(first) == _without_tokens(kept) == _without_tokens(whole)
    assert product.name in kept and "data-cart-count>2<" in kept
    assert "<!--hole:" not in kept and pagecache.CSRF_PLACEHOLDER not in kept
    tokens = TOKEN.findall(kept)
    empty = len('name="csrfmiddlewaretoken" value=""')
    assert len(tokens) == 3 and all(len(token) == empty + 64 for token in tokens)


def test_the_chrome_is_kept_until_its_scope_changes(
    client, home, product, django_capture_on_commit_callbacks
):
    guest = _guest_with(product, 1)
    bar = AnnouncementSettings.for_site(home.get_site())
    bar.is_active, bar.text = True, "Free returns this week"
    with django_capture_on_commit_callbacks(execute=True):
        bar.save()
    assert "Free returns this week" in _cart_page(guest)
    AnnouncementSettings.objects.filter(pk=bar.pk).update(text="Changed behind the cache")
    assert "Free returns this week" in _cart_page(guest)  # kept: nothing said the settings changed
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.invalidate_pages(pagecache.SETTINGS)
    page = _cart_page(guest)
    assert "Changed behind the cache" in page and "Free returns this week" not in page


def test_the_cart_lines_are_read_on_every_request(client, home, product):
    """Only the chrome is kept: a line added elsewhere (another tab) shows on the next page."""
    guest = _guest_with(product, 1)
    assert "Subtotal (1 item)" in _cart_page(guest)
    guest.post("/cart/add/", {"variant": product.variants.first().pk, "quantity": 2})
    page = _cart_page(guest)
    assert "Subtotal (3 items)" in page and "data-cart-count>3<" in page


def test_nothing_of_the_visitor_whose_request_rendered_the_chrome_reaches_another(
    client, home, product, shopper
):
    shopper.first_name = "Zebedee"
    shopper.save()
    add_item(get_or_create_cart(shopper), product.variants.first(), 3)
    member = Client()
    member.force_login(shopper)
    mine = _cart_page(member)  # the first cart page since the generations were read: renders the chrome
    assert "Log out" in mine and "data-cart-count>3<" in mine and "Subtotal (3 items)" in mine
    member_tokens = set(TOKEN.findall(mine))

    guest = Client()
    theirs = _cart_page(guest)
    assert "Log out" not in theirs and "Log in" in theirs
    assert "Zebedee" not in theirs and shopper.email not in theirs
    assert "data-cart-count>0<" in theirs and "Your cart is empty." in theirs
    assert not member_tokens & set(TOKEN.findall(theirs))


def test_messages_go_to_their_visitor_only(client, home, product):
    variant = product.variants.first()
    guest = Client()
    guest.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    mine = _cart_page(guest)
    assert "Added 1 x" in mine
    assert "Added 1 x" not in _cart_page(guest)  # shown once
    assert "Added 1 x" not in _cart_page(Client())


def test_the_forms_of_a_kept_shell_page_carry_a_working_token_masked_anew_each_time(client, home, product):
    """The part's forms share one masked token, it unmasks to the cookie's secret, a POST with
    it is accepted, and the next response has a new mask of the same secret (BREACH)."""
    from django.middleware.csrf import _unmask_cipher_token

    guest = _guest_with(product, 1)
    page = _cart_page(guest)
    tokens = {re.search(r'value="([^"]*)"', found)[1] for found in TOKEN.findall(page)}
    assert len(tokens) == 1
    (token,) = tokens
    secret = guest.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret
    next_tokens = {re.search(r'value="([^"]*)"', found)[1] for found in TOKEN.findall(_cart_page(guest))}
    assert next_tokens != tokens and {_unmask_cipher_token(t) for t in next_tokens} == {secret}
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = guest.cookies
    line = re.search(r'name="item" value="(\d+)"', page)[1]
    response = strict.post("/cart/update/", {"item": line, "quantity": 2, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "data-cart-count>2<" in _cart_page(guest)

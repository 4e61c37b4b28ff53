"""Every form and POST endpoint, fed hostile fields: below 500, and nothing changes that a
refused request must not change (sessions and login-attempt records aside)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from shop.cart.models import Cart, CartItem

from . import strategies
from .conftest import count_request, fingerprint

text = strategies.text
# Ids nobody may act on: not numbers, out of range, or someone else's (filled in per test).
hostile_id = st.one_of(text, st.integers(min_value=-(2**70), max_value=2**70).map(str))
# Quantities the cart refuses: everything but a whole number from 1 to the maximum.
bad_quantity = st.one_of(
    text.filter(lambda value: not (value.isascii() and value.isdigit() and 1 <= int(value) <= 20)),
    st.integers(max_value=0).map(str),
    st.integers(min_value=21).map(str),
)
not_a_country = text.filter(lambda value: not (len(value) == 2 and value.isalpha() and value.isupper()))


def post(client, url, data, before):
    count_request()
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    assert fingerprint() == before, (url, data)
    return response


@pytest.mark.django_db
@given(
    variant=st.one_of(hostile_id, st.just("HIDDEN")),
    product=st.one_of(st.none(), hostile_id),
    size=text,
    colour=text,
    quantity=text,
    next_url=text,
)
def test_cart_add_refuses_what_cannot_be_sold(
    world, client, variant, product, size, colour, quantity, next_url
):
    before = fingerprint()
    if variant == "HIDDEN":
        variant = str(world.hidden_variant.pk)
    data = {"variant": variant, "size": size, "colour": colour, "quantity": quantity, "next": next_url}
    if product is not None:
        data = {**data, "variant": "", "product": product}
    post(client, "/cart/add/", data, before)


@pytest.mark.django_db
@given(item=st.one_of(hostile_id, st.just("FOREIGN")), quantity=text)
def test_cart_update_and_remove_never_touch_other_carts(world, client, item, quantity):
    client.post("/cart/add/", {"variant": world.variant.pk, "quantity": "1"})  # an own cart with one line
    before = fingerprint()
    own = CartItem.objects.exclude(cart__user=world.shopper).values_list("pk", flat=True)
    if item == "FOREIGN" or (item.strip().isdigit() and int(item) in own):
        item = str(world.foreign_item.pk)
    post(client, "/cart/update/", {"item": item, "quantity": quantity}, before)
    post(client, "/cart/remove/", {"item": item}, before)


@pytest.mark.django_db
@given(quantity=bad_quantity)
def test_cart_update_refuses_bad_quantities_on_an_own_line(world, client, quantity):
    client.post("/cart/add/", {"variant": world.variant.pk, "quantity": "1"})
    before = fingerprint()
    own = CartItem.objects.exclude(cart__user=world.shopper).get()
    response = post(client, "/cart/update/", {"item": own.pk, "quantity": quantity}, before)
    assert response.status_code in (302, 400)


@pytest.mark.django_db
@given(
    fields=st.fixed_dictionaries(dict.fromkeys(("email", "full_name", "line1", "city", "postal_code"), text)),
    country=not_a_country,
)
def test_checkout_places_no_order_from_hostile_fields(world, client, fields, country):
    client.post("/cart/add/", {"variant": world.variant.pk, "quantity": "1"})
    before = fingerprint()
    post(client, "/checkout/", {**fields, "country": country}, before)


@pytest.mark.django_db
@given(username=text, password=text, next_url=text)
def test_login_with_hostile_fields_logs_nobody_in(world, client, username, password, next_url):
    before = fingerprint()
    post(client, "/accounts/login/", {"username": username, "password": password, "next": next_url}, before)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@given(fields=st.fixed_dictionaries(dict.fromkeys(("email", "first_name", "last_name", "password1"), text)))
def test_signup_with_hostile_fields_creates_nobody(world, client, fields):
    before = fingerprint()
    post(client, "/accounts/signup/", {**fields, "password2": fields["password1"] + "~"}, before)


@pytest.mark.django_db
@given(
    fields=st.fixed_dictionaries(dict.fromkeys(("full_name", "line1", "city", "postal_code", "phone"), text))
)
def test_profile_address_form_refuses_hostile_fields(world, client, fields):
    client.force_login(world.shopper)
    before = fingerprint()
    post(client, "/accounts/", {**fields, "country": "XX"}, before)


@pytest.mark.django_db
@given(key=text, action=text)
def test_order_and_payment_posts_refuse_hostile_keys_and_actions(world, client, key, action):
    before = fingerprint()
    post(client, f"/orders/{world.guest_order.number}/pay/", {"key": key}, before)
    post(client, f"/orders/{world.foreign_order.number}/pay/", {"key": key}, before)
    if action not in ("pay", "fail"):
        post(client, f"/payments/test/{world.payment.token}/", {"action": action}, before)


@pytest.mark.django_db
@given(body=strategies.raw_body, signature=text)
def test_stripe_webhook_refuses_unsigned_and_garbled_bodies(world, client, body, signature):
    before = fingerprint()
    count_request()
    response = client.post(
        "/payments/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 400
    assert fingerprint() == before


@pytest.mark.django_db
@given(
    url=st.sampled_from(["/cart/add/", "/cart/update/", "/cart/remove/", "/checkout/", "/accounts/login/"]),
    body=strategies.raw_body,
)
def test_form_bodies_that_are_not_utf8_or_not_urlencoded(world, client, url, body):
    before = fingerprint()
    count_request()
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "wrong-token-" + "x" * 20])
def test_posts_without_a_valid_csrf_token_are_403_and_change_nothing(world, token):
    """Valid requests in every other way: only the missing or wrong CSRF token stops them."""
    client = Client(enforce_csrf_checks=True)
    client.get("/cart/")  # a session and a CSRF cookie, as a real browser would have
    extra = {"csrfmiddlewaretoken": token} if token else {}
    client.cookies["csrftoken"] = "a" * 32
    before = fingerprint()
    carts = Cart.objects.count()
    requests = [
        ("/cart/add/", {"variant": world.variant.pk, "quantity": "1"}),
        ("/checkout/", {"email": "a@example.com", "full_name": "A", "line1": "B", "city": "C",
                        "postal_code": "1", "country": "DE"}),
        ("/accounts/login/", {"username": "victim@example.com", "password": "correct-horse-battery-staple"}),
        ("/accounts/signup/", {"email": "new@example.com", "first_name": "N", "last_name": "N",
                               "password1": "Long-enough-1", "password2": "Long-enough-1"}),
        (f"/orders/{world.guest_order.number}/pay/", {"key": world.guest_order.access_key}),
        (f"/payments/test/{world.payment.token}/", {"action": "pay"}),
    ]  # fmt: skip
    for url, data in requests:
        count_request()
        assert client.post(url, {**data, **extra}).status_code == 403, url
    assert fingerprint() == before
    assert Cart.objects.count() == carts

"""Checkout: the happy path, bad input, stock running out, snapshots, and who may see an order."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.accounts.services import save_default_address
from shop.cart.models import Cart, CartItem
from shop.catalog.models import ProductVariant
from shop.catalog.services import soft_delete_product
from shop.orders.models import Order
from tests.factories import make_product, make_variant

pytestmark = pytest.mark.django_db

ADDRESS = {
    "email": "Grace@Example.com",
    "full_name": "Grace Hopper",
    "line1": "1 Harbour Road",
    "city": "Dublin",
    "postal_code": "D01 F5P2",
    "country": "IE",
}


@pytest.fixture(autouse=True)
def fake_payments(settings):
    settings.SHOP_PAYMENT_HANDOFF = "tests.orders.handoff.redirect_to_provider"
    settings.SHOP_SHIPPING_FLAT_RATE = Decimal("4.90")
    settings.SHOP_FREE_SHIPPING_THRESHOLD = Decimal("75.00")


def fill_cart(client, *lines):
    for variant, quantity in lines:
        response = client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity, "next": "/cart/"})
        assert response.status_code == 302


def test_guest_checkout_happy_path(client, mailoutbox):
    tee = make_variant(make_product("Oxford Tee", price="20.00", sizes=()), size="M", colour="Black", stock=5)
    jeans = make_variant(make_product("Slim Jeans", price="30.00", sizes=()), size="32", colour="", stock=2)
    fill_cart(client, (tee, 2), (jeans, 1))
    page = client.get("/checkout/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Email", "Full name", "Address", "City", "Postal code", "Country"):
        assert f">{label}</label>" in html
    assert ">Place order</button>" in html
    assert "€74.90" in html  # 70 + 4.90 shipping

    response = client.post("/checkout/", {**ADDRESS, "total": "0.01", "price": "0"})
    order = Order.objects.get()
    assert response.status_code == 303  # See Other: the browser GETs the payment page
    assert response["Location"] == f"/payments/test/fake-{order.number}/"
    assert order.status == Order.Status.PENDING_PAYMENT
    assert (order.subtotal, order.shipping, order.total) == (
        Decimal("70.00"),
        Decimal("4.90"),
        Decimal("74.90"),
    )
    assert order.email == "grace@example.com" and order.user is None
    assert (order.full_name, order.line1, order.city, order.postal_code, order.country) == (
        "Grace Hopper",
        "1 Harbour Road",
        "Dublin",
        "D01 F5P2",
        "IE",
    )
    lines = {i.sku: i for i in order.items.all()}
    assert lines[tee.sku].product_name == "Oxford Tee"
    assert lines[tee.sku].variant_label == "M / Black"
    assert (lines[tee.sku].unit_price, lines[tee.sku].quantity, lines[tee.sku].line_total) == (
        Decimal("20.00"),
        2,
        Decimal("40.00"),
    )
    assert lines[jeans.sku].variant_label == "32"
    tee.refresh_from_db()
    jeans.refresh_from_db()
    assert (tee.stock, jeans.stock) == (3, 1)
    assert not CartItem.objects.exists()
    assert order.events.get().to_status == Order.Status.PENDING_PAYMENT
    assert mailoutbox == []  # confirmation is sent once paid

    detail = client.get(order.get_absolute_url())
    assert detail.status_code == 200
    text = detail.content.decode()
    assert order.number in text and "Pending payment" in text and "Pay now" in text
    assert "Oxford Tee" in text and "€74.90" in text and "Ireland" in text


def test_free_shipping_from_the_threshold_at_checkout(client):
    variant = make_variant(make_product(price="75.00", sizes=()), stock=3)
    fill_cart(client, (variant, 1))
    client.post("/checkout/", ADDRESS)
    order = Order.objects.get()
    assert (order.shipping, order.total) == (Decimal("0.00"), Decimal("75.00"))


def test_empty_cart_cannot_check_out(client):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"
    response = client.post("/checkout/", ADDRESS)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", ""),
        ("full_name", ""),
        ("line1", "   "),
        ("city", ""),
        ("postal_code", ""),
        ("country", "XX"),
        ("country", ""),
        ("full_name", "x" * 500),
    ],
)
def test_bad_checkout_input_shows_the_form_again(client, field, value):
    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    response = client.post("/checkout/", {**ADDRESS, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 3
    assert CartItem.objects.count() == 1


def test_checkout_without_csrf_is_refused(client):
    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same visitor, with a full cart, but no token
    assert strict.post("/checkout/", ADDRESS).status_code == 403
    assert not Order.objects.exists()
    assert strict.post("/orders/NOSUCHONE1/pay/", {}).status_code == 403


def test_stock_ran_out_before_placing_keeps_the_cart_and_names_the_item(client):
    variant = make_variant(
        make_product("Last Hoodie", price="20.00", sizes=()), size="L", colour="Grey", stock=2
    )
    fill_cart(client, (variant, 2))
    ProductVariant.objects.filter(pk=variant.pk).update(stock=1)
    response = client.post("/checkout/", ADDRESS, follow=True)
    assert not Order.objects.exists()
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "Last Hoodie (L / Grey)" in messages
    assert CartItem.objects.get().quantity == 2
    variant.refresh_from_db()
    assert variant.stock == 1


def test_stock_ran_out_between_the_page_and_the_click(client):
    from shop.orders.services import CheckoutError, ShippingDetails, place_order

    variant = make_variant(make_product("Cap", price="20.00", sizes=()), size="One", colour="", stock=1)
    fill_cart(client, (variant, 1))
    cart = Cart.objects.get()
    ProductVariant.objects.filter(pk=variant.pk).update(stock=0)
    with pytest.raises(CheckoutError, match="Cap"):
        place_order(cart, ShippingDetails(**{**ADDRESS, "email": "a@b.c"}))
    assert CartItem.objects.count() == 1 and not Order.objects.exists()


def test_deleted_or_deactivated_product_cannot_be_ordered(client):
    variant = make_variant(make_product("Gone Tee", price="20.00", sizes=()), stock=3)
    fill_cart(client, (variant, 1))
    soft_delete_product(variant.product)
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"
    client.post("/checkout/", ADDRESS)
    assert not Order.objects.exists()
    assert "no longer sold" in client.get("/cart/").content.decode()


def test_prices_come_from_the_database_at_the_moment_of_ordering(client):
    variant = make_variant(make_product(price="10.00", sizes=()), stock=3)
    fill_cart(client, (variant, 1))
    variant.price_override = Decimal("12.00")
    variant.save()
    client.post("/checkout/", {**ADDRESS, "unit_price": "0.01", "subtotal": "0.01"})
    order = Order.objects.get()
    assert order.items.get().unit_price == Decimal("12.00")
    assert order.total == Decimal("16.90")


def test_snapshots_survive_repricing_and_deletion(client):
    product = make_product("Linen Shirt", price="40.00", sizes=())
    variant = make_variant(product, size="S", colour="Sand", stock=3)
    fill_cart(client, (variant, 1))
    client.post("/checkout/", ADDRESS)
    order = Order.objects.get()
    product.name = "Renamed"
    product.base_price = Decimal("99.00")
    product.save()
    soft_delete_product(product)
    item = order.items.get()
    item.refresh_from_db()
    assert (item.product_name, item.unit_price, item.variant_label) == (
        "Linen Shirt",
        Decimal("40.00"),
        "S / Sand",
    )
    variant.delete()
    product.delete()
    item.refresh_from_db()
    assert item.variant is None and item.product is None and item.sku.startswith("SKU-")
    order.refresh_from_db()
    assert order.total == Decimal("44.90")
    assert "Linen Shirt" in client.get(order.get_absolute_url()).content.decode()


def test_member_checkout_prefills_and_lists_the_order(client, shopper):
    save_default_address(
        shopper, full_name="Sam Shopper", line1="5 Elm St", city="Oslo", postal_code="0150", country="NO"
    )
    client.force_login(shopper)
    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    form = client.get("/checkout/").context["form"]
    assert form.initial["email"] == "shopper@example.com"
    assert form.initial["line1"] == "5 Elm St" and form.initial["country"] == "NO"
    client.post("/checkout/", {**ADDRESS, "email": shopper.email})
    order = Order.objects.get()
    assert order.user == shopper
    listing = client.get("/accounts/orders/")
    assert order.number in listing.content.decode()
    own = client.get(f"/orders/{order.number}/")  # the owner needs no key
    assert own.status_code == 200


def test_guest_orders_with_a_members_email_stay_behind_their_link(client, shopper):
    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    client.post("/checkout/", {**ADDRESS, "email": shopper.email})
    order = Order.objects.get()
    member = Client()
    member.force_login(shopper)
    assert order.number not in member.get("/accounts/orders/").content.decode()
    assert member.get(f"/orders/{order.number}/").status_code == 404
    assert member.get(order.get_absolute_url()).status_code == 200


def test_who_may_see_an_order(client, shopper, make_user):
    variant = make_variant(stock=3)
    owner = Client()
    owner.force_login(shopper)
    fill_cart(owner, (variant, 1))
    owner.post("/checkout/", ADDRESS)
    order = Order.objects.get()
    url = f"/orders/{order.number}/"
    stranger = Client()
    other = Client()
    other.force_login(make_user("other@example.com"))
    assert owner.get(url).status_code == 200
    assert stranger.get(url).status_code == 404
    assert stranger.get(url + "?key=wrong").status_code == 404
    assert stranger.get(url + "?key=").status_code == 404
    assert stranger.get(order.get_absolute_url()).status_code == 200
    assert other.get(url).status_code == 404
    assert other.get(url + "?key=" + order.access_key[:-1]).status_code == 404
    assert stranger.get("/orders/NOSUCHONE1/").status_code == 404
    assert stranger.get("/accounts/orders/").status_code == 302
    assert order.number not in other.get("/accounts/orders/").content.decode()


def test_payment_unavailable_keeps_the_order_and_offers_pay_now(client, settings):
    settings.SHOP_PAYMENT_HANDOFF = "tests.orders.handoff.unavailable"
    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    response = client.post("/checkout/", ADDRESS, follow=True)
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_PAYMENT
    html = response.content.decode()
    assert "The payment service is not answering. Your order is saved; please try again." in html
    assert "Pay now" in html
    settings.SHOP_PAYMENT_HANDOFF = "tests.orders.handoff.redirect_to_provider"
    retry = client.post(f"/orders/{order.number}/pay/", {"key": order.access_key})
    assert retry["Location"] == f"/payments/test/fake-{order.number}/"
    assert client.post(f"/orders/{order.number}/pay/", {"key": "nope"}).status_code == 404
    assert client.get(f"/orders/{order.number}/pay/").status_code == 405


def test_pay_now_on_a_paid_order_does_nothing(client):
    from shop.orders import services

    variant = make_variant(stock=3)
    fill_cart(client, (variant, 1))
    client.post("/checkout/", ADDRESS)
    order = Order.objects.get()
    services.mark_paid(order, actor_label="test")
    response = client.post(f"/orders/{order.number}/pay/", {"key": order.access_key}, follow=True)
    assert "nothing to pay" in response.content.decode()
    assert "Paid" in response.content.decode()


@pytest.mark.parametrize(
    ("handoff", "error"),
    [
        ("shop.payments.services.no_such_function", "orders.E001"),
        ("shop.orders.payment.UNAVAILABLE", "orders.E002"),
    ],
)
def test_a_broken_payment_handoff_stops_the_shop_at_start_up(settings, handoff, error):
    from django.core.checks import run_checks

    assert [e.id for e in run_checks() if e.id.startswith("orders.")] == []
    settings.SHOP_PAYMENT_HANDOFF = handoff
    assert [e.id for e in run_checks() if e.id.startswith("orders.")] == [error]

"""Staff stock edits in the product admin count from what the form showed, not over checkouts."""

import threading
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import close_old_connections, connection, transaction

from shop.cart.models import Cart, CartItem
from shop.catalog.models import Product, ProductVariant
from shop.catalog.services import StockEdit, apply_stock_edits
from shop.orders.services import ShippingDetails, place_order
from tests.factories import make_product

pytestmark = pytest.mark.django_db

DETAILS = ShippingDetails(
    email="buyer@example.com",
    full_name="Buyer",
    line1="1 Road",
    city="Lyon",
    postal_code="69001",
    country="FR",
)


class EditForm(HTMLParser):
    """The fields a browser would post from the admin's edit form, as the page rendered them."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.data = action, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.action in (attrs.get("action") or "")
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def open_form(client, product) -> tuple[str, dict]:
    url = f"/admin/shop/products/edit/{product.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    parser = EditForm(url)
    parser.feed(response.content.decode())
    return url, parser.data


def checkout(variant: ProductVariant, quantity: int) -> None:
    """A shopper buys through the orders app while the staff form is open."""
    cart = Cart.objects.create(session_key=f"buyer-{variant.pk}-{quantity}".ljust(32, "x"))
    CartItem.objects.create(
        cart=cart, variant=variant, quantity=quantity, unit_price_seen=variant.price, stock_seen=variant.stock
    )
    place_order(cart, DETAILS)


@pytest.fixture
def as_staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def tee():
    return make_product("Plain tee", sizes=("M",), stock=10, price="20.00")


def errors(response) -> str:
    return response.content.decode() if response.status_code == 200 else ""


def test_the_form_shows_the_stock_and_remembers_it(as_staff, tee):
    _url, data = open_form(as_staff, tee)
    assert data["variants-0-stock"] == "10"
    assert data["variants-0-stock_shown"] == "10"


def test_saving_a_price_keeps_the_stock_a_checkout_took_meanwhile(as_staff, tee):
    url, data = open_form(as_staff, tee)
    checkout(tee.variants.get(), 3)
    data["base_price"] = "24.00"
    response = as_staff.post(url, data)
    assert response.status_code == 302, errors(response)
    tee.refresh_from_db()
    assert tee.base_price == Decimal("24.00")
    assert tee.variants.get().stock == 7


def test_raising_stock_adds_to_what_is_left(as_staff, tee):
    url, data = open_form(as_staff, tee)
    checkout(tee.variants.get(), 3)
    data["variants-0-stock"] = "15"  # staff received 5 more
    response = as_staff.post(url, data)
    assert response.status_code == 302, errors(response)
    assert tee.variants.get().stock == 10 - 3 + 5


def test_lowering_below_what_is_left_is_refused_and_changes_nothing(as_staff, tee):
    url, data = open_form(as_staff, tee)
    variant = tee.variants.get()
    checkout(variant, 8)
    data["variants-0-stock"] = "5"  # 5 fewer than shown, but only 2 are left
    data["base_price"] = "24.00"
    response = as_staff.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Only 2 left of SKU {variant.sku}; someone bought some while you edited." in body
    tee.refresh_from_db()
    assert tee.base_price == Decimal("20.00")
    assert tee.variants.get().stock == 2
    # The row now shows the stock there is, so the next save counts from it.
    parser = EditForm(url)
    parser.feed(body)
    assert parser.data["variants-0-stock"] == parser.data["variants-0-stock_shown"] == "2"
    parser.data["variants-0-stock"] = "0"
    assert as_staff.post(url, parser.data).status_code == 302
    assert tee.variants.get().stock == 0


def test_new_variants_take_the_posted_stock_and_others_keep_their_checkouts(as_staff, tee):
    url, data = open_form(as_staff, tee)
    checkout(tee.variants.get(), 4)
    data.update(
        {
            "variants-TOTAL_FORMS": "2",
            "variants-1-size": "L",
            "variants-1-colour": "",
            "variants-1-sku": "TEE-L",
            "variants-1-stock": "9",
            "variants-1-price_override": "",
            "variants-1-is_active": "on",
            "variants-1-ORDER": "2",
            "variants-1-id": "",
            "variants-1-DELETE": "",
        }
    )
    response = as_staff.post(url, data)
    assert response.status_code == 302, errors(response)
    stocks = dict(tee.variants.values_list("size", "stock"))
    assert stocks == {"M": 6, "L": 9}


def test_several_variants_are_each_counted_from_what_they_showed(as_staff):
    product = make_product("Hoodie", sizes=("S", "M", "L"), stock=10)
    small, medium, large = product.variants.order_by("pk")
    url, data = open_form(as_staff, product)
    checkout(small, 2)
    checkout(large, 10)
    row = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.endswith("-id") and value == str(medium.pk)
    )
    data[f"{row}-stock"] = "12"
    response = as_staff.post(url, data)
    assert response.status_code == 302, errors(response)
    assert dict(product.variants.values_list("size", "stock")) == {"S": 8, "M": 12, "L": 0}
    assert Product.objects.get(pk=product.pk).is_buyable


def test_a_post_without_the_shown_stock_sets_the_number_as_posted(as_staff, tee):
    """A hand-made request that does not say what it saw cannot be counted from it."""
    url, data = open_form(as_staff, tee)
    checkout(tee.variants.get(), 3)
    del data["variants-0-stock_shown"]
    data["variants-0-stock"] = "4"
    assert as_staff.post(url, data).status_code == 302
    assert tee.variants.get().stock == 4


def test_a_tampered_shown_stock_is_a_form_error_not_a_500(as_staff, tee):
    url, data = open_form(as_staff, tee)
    data["variants-0-stock_shown"] = "lots"
    data["base_price"] = "1.00"
    assert as_staff.post(url, data).status_code == 200
    tee.refresh_from_db()
    assert tee.base_price == Decimal("20.00") and tee.variants.get().stock == 10


@pytest.mark.django_db(transaction=True)
def test_a_checkout_waits_for_a_stock_edit_in_progress_and_then_takes_from_its_result():
    """Real threads and connections: the edit holds the variant locks while the form saves."""
    tee = make_product("Raced tee", sizes=("M",), stock=10)
    variant = tee.variants.get()
    locked, proceed, bought = threading.Event(), threading.Event(), threading.Event()
    failures: list = []

    def slow_save():
        locked.set()
        proceed.wait(10)

    def staff():
        try:
            with transaction.atomic():
                apply_stock_edits(tee.pk, [StockEdit(variant.pk, shown=10, posted=15)], slow_save)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    def shopper():
        try:
            checkout(ProductVariant.objects.get(pk=variant.pk), 3)
            bought.set()
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=staff), threading.Thread(target=shopper)]
    threads[0].start()
    assert locked.wait(10)
    threads[1].start()
    assert not bought.wait(1), "the checkout must wait for the edit's locks"
    proceed.set()
    for thread in threads:
        thread.join(30)
    close_old_connections()
    assert not failures, failures
    assert bought.is_set()
    assert ProductVariant.objects.get(pk=variant.pk).stock == 10 + 5 - 3

"""Cart rules: what may go in, bad input, totals and notices, the header count, merging on login."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shop.cart.models import LINE_QUANTITY_CEILING, Cart, CartItem
from shop.catalog.models import ProductVariant
from shop.catalog.services import soft_delete_product
from tests.factories import make_category, make_product, make_variant

pytestmark = pytest.mark.django_db


def add(client, **data):
    data.setdefault("quantity", "1")
    data.setdefault("next", "/cart/")
    return client.post("/cart/add/", data)


def items():
    return list(CartItem.objects.values_list("variant_id", "quantity"))


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_guest_adds_by_variant_and_by_size_and_colour(client):
    product = make_product(price="25.00", sizes=())
    black = make_variant(product, size="M", colour="Black", stock=5)
    white = make_variant(product, size="L", colour="White", stock=5)
    response = add(client, variant=black.pk, quantity="2")
    assert response.status_code == 302 and response["Location"] == "/cart/"
    add(client, product=product.pk, size="L", colour="White", quantity="1")
    cart = Cart.objects.get()
    assert cart.user is None and cart.session_key == client.session.session_key
    assert sorted(items()) == sorted([(black.pk, 2), (white.pk, 1)])
    page = client.get("/cart/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "€75.00" in html  # 3 x 25, free shipping from 75
    assert "data-cart-count>3<" in html
    assert html.count('name="quantity"') == 2
    assert ">Update<" in html and ">Remove<" in html and ">Checkout<" in html


def test_adding_the_same_variant_adds_up_within_stock_and_maximum(client, settings):
    settings.SHOP_MAX_LINE_QUANTITY = 20
    variant = make_variant(stock=30)
    add(client, variant=variant.pk, quantity="15")
    response = add(client, variant=variant.pk, quantity="6")
    assert items() == [(variant.pk, 15)]
    assert "at most 20" in " ".join(messages_of(client.get("/cart/")))
    low = make_variant(stock=3)
    add(client, variant=low.pk, quantity="2")
    add(client, variant=low.pk, quantity="2")
    assert dict(items())[low.pk] == 2
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "whole number"),
        ("0", "whole number"),
        ("-1", "whole number"),
        ("1.5", "whole number"),
        ("99999999999999999999999", "whole number"),
        ("21", "whole number"),
        ("", "whole number"),
        ("²", "whole number"),
        ("١٢", "whole number"),
        (" 1e3", "whole number"),
    ],
)
def test_bad_quantities_are_refused_with_a_message(client, quantity, message):
    variant = make_variant(stock=50)
    response = add(client, variant=variant.pk, quantity=quantity)
    assert response.status_code == 302
    assert items() == []
    assert any(message in m for m in messages_of(client.get("/cart/")))


def test_unknown_inactive_sold_out_and_deleted_variants_are_refused(client):
    inactive = make_variant(is_active=False)
    sold_out = make_variant(stock=0)
    deleted = make_variant()
    soft_delete_product(deleted.product)
    hidden = make_variant(product=make_product(price="20.00", is_active=False, sizes=()))
    cases = [
        ({"variant": "999999"}, "not available"),
        ({"variant": "abc"}, "not available"),
        ({"variant": "²"}, "not available"),
        ({"variant": "9" * 40}, "not available"),
        ({"product": "²", "size": "M"}, "not available"),
        ({"variant": str(inactive.pk)}, "not available"),
        ({"variant": str(sold_out.pk)}, "sold out"),
        ({"variant": str(deleted.pk)}, "not available"),
        ({"variant": str(hidden.pk)}, "not available"),
        ({"product": str(inactive.product_id), "size": "XXL", "colour": "Black"}, "not available"),
        ({"product": str(inactive.product_id)}, "Choose a size"),
    ]
    for data, message in cases:
        response = add(client, **data)
        assert response.status_code == 302, data
        assert any(message in m for m in messages_of(client.get("/cart/"))), data
    assert items() == []
    assert not Cart.objects.exists()


def test_bare_posts_get_400_and_gets_405(client):
    assert client.post("/cart/add/", {}).status_code == 400
    assert client.post("/cart/update/", {}).status_code == 400
    assert client.post("/cart/remove/", {}).status_code == 400
    assert client.get("/cart/add/").status_code == 405
    assert items() == []


def test_missing_csrf_token_is_refused(db):
    variant = make_variant()
    strict = Client(enforce_csrf_checks=True)
    for url, data in (
        ("/cart/add/", {"variant": variant.pk, "quantity": 1}),
        ("/cart/update/", {"item": 1, "quantity": 1}),
        ("/cart/remove/", {"item": 1}),
    ):
        assert strict.post(url, data).status_code == 403
    assert items() == []


def test_update_and_remove(client):
    variant = make_variant(stock=6)
    add(client, variant=variant.pk, quantity="1")
    item = CartItem.objects.get()
    client.post("/cart/update/", {"item": item.pk, "quantity": "4"})
    assert items() == [(variant.pk, 4)]
    for bad in ("0", "-2", "x", "7", "21"):
        client.post("/cart/update/", {"item": item.pk, "quantity": bad})
        assert items() == [(variant.pk, 4)], bad
    for item_id in ("424242", "²", "x", "9" * 40):
        response = client.post("/cart/update/", {"item": item_id, "quantity": "1"})
        assert response.status_code == 302
        client.post("/cart/remove/", {"item": item_id})
    assert items() == [(variant.pk, 4)]
    response = client.post("/cart/update/", {"item": "424242", "quantity": "1"})
    assert response.status_code == 302
    assert "not in your cart" in " ".join(messages_of(client.get("/cart/")))
    client.post("/cart/remove/", {"item": item.pk})
    assert items() == []


def test_nobody_can_touch_another_visitors_cart(client):
    variant = make_variant(stock=6)
    add(client, variant=variant.pk, quantity="2")
    item = CartItem.objects.get()
    other = Client()
    other.post("/cart/add/", {"variant": variant.pk, "quantity": 1, "next": "/cart/"})
    other.post("/cart/update/", {"item": item.pk, "quantity": "5"})
    other.post("/cart/remove/", {"item": item.pk})
    assert CartItem.objects.get(pk=item.pk).quantity == 2


def test_totals_use_current_prices_and_tell_about_changes(client, settings):
    settings.SHOP_FREE_SHIPPING_THRESHOLD = Decimal("75.00")
    settings.SHOP_SHIPPING_FLAT_RATE = Decimal("4.90")
    variant = make_variant(stock=10, price="10.00")
    add(client, variant=variant.pk, quantity="2")
    variant.price_override = Decimal("12.50")
    variant.stock = 4
    variant.save()
    page = client.get("/cart/")
    summary = page.context["summary"]
    assert summary.subtotal == Decimal("25.00")
    assert summary.shipping == Decimal("4.90")
    assert summary.total == Decimal("29.90")
    html = page.content.decode()
    assert "price went up" in html and "€10.00" in html
    assert "Stock fell" in html
    variant.stock = 1
    variant.save()
    page = client.get("/cart/")
    assert "Only 1 of" in page.content.decode()
    assert not page.context["summary"].can_check_out


def test_header_count_costs_at_most_one_query(client, django_assert_max_num_queries, shopper, password):
    from django.template import Context, Template
    from django.test import RequestFactory

    from shop.cart.context_processors import cart

    client.login(email=shopper.email, password=password)
    add(client, variant=make_variant(stock=10).pk, quantity="3")
    add(client, variant=make_variant(stock=10).pk, quantity="2")
    request = RequestFactory().get("/")
    request.user = shopper
    request.session = client.session
    context = cart(request)
    with django_assert_max_num_queries(1):
        rendered = Template("{{ cart_count|default:0 }} {{ cart_count }}").render(Context(context))
    assert rendered == "5 5"  # units, counted once and reused
    assert "data-cart-count>5<" in client.get("/").content.decode()


def test_a_guests_header_count_follows_its_cart(client):
    """Counted by the cart id the guest's session keeps: right after each change, 0 once the cart
    is gone (housekeeping), and never another visitor's lines."""
    first, second = make_variant(stock=10), make_variant(stock=10)
    add(client, variant=first.pk, quantity="3")
    other = Client()
    add(other, variant=first.pk, quantity="7")
    assert "data-cart-count>3<" in client.get("/").content.decode()
    add(client, variant=second.pk, quantity="2")
    assert "data-cart-count>5<" in client.get("/").content.decode()
    line = CartItem.objects.get(cart__session_key=client.session.session_key, variant=first)
    client.post("/cart/update/", {"item": line.pk, "quantity": "1"})
    client.post("/cart/remove/", {"item": CartItem.objects.get(variant=second).pk})
    assert client.get("/cart/visitor/").json()["cart_count"] == 1
    assert "data-cart-count>1<" in client.get("/").content.decode()
    Cart.objects.filter(session_key=client.session.session_key).delete()
    assert client.get("/cart/visitor/").json()["cart_count"] == 0
    assert other.get("/cart/visitor/").json()["cart_count"] == 7


def fill_with_photographed_products(client, lines: int) -> None:
    from wagtail.models import Collection

    from shop.catalog.models import ProductImage
    from tests.factories import make_wagtail_image

    if Collection.get_first_root_node() is None:  # flushed by a transactional test
        Collection.add_root(name="Root")
    for n in range(lines):
        variant = make_variant(stock=5)
        ProductImage.objects.create(
            product=variant.product, image=make_wagtail_image(f"p{n}"), alt_text="Photo"
        )
        add(client, variant=variant.pk, quantity="1")


def _cart_page_queries(client, lines: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill_with_photographed_products(client, lines)
    client.get("/cart/")  # the site chrome's settings rows and the thumbnails are made on first use
    with CaptureQueriesContext(connection) as queries:
        client.get("/cart/")
    return len(queries)


@pytest.mark.parametrize("lines", [1, 12])
def test_cart_page_queries_do_not_grow_with_lines(client, django_assert_num_queries, lines):
    """Session, the cart with its lines, the photos with their renditions, and two for the site
    chrome (tests/cart/test_queries.py, GUEST_CART_PAGE)."""
    fill_with_photographed_products(client, lines)
    client.get("/cart/")
    with django_assert_num_queries(5):
        response = client.get("/cart/")
    assert len(response.context["summary"].lines) == lines
    assert response.content.decode().count('alt="Photo"') == lines


def test_cart_page_query_count_is_the_same_for_1_and_12_lines(client):
    small = _cart_page_queries(client, 1)
    other = Client()
    assert _cart_page_queries(other, 12) == small


def test_login_merges_the_guest_cart_capped_by_stock(client, shopper, password):
    a, b, c = make_variant(stock=5), make_variant(stock=3), make_variant(stock=9)
    member_cart = Cart.objects.create(user=shopper)
    CartItem.objects.create(cart=member_cart, variant=b, quantity=2, unit_price_seen=b.price, stock_seen=3)
    CartItem.objects.create(cart=member_cart, variant=c, quantity=1, unit_price_seen=c.price, stock_seen=9)
    add(client, variant=a.pk, quantity="2")
    add(client, variant=b.pk, quantity="2")
    guest_key = client.session.session_key
    response = client.post("/accounts/login/", {"username": shopper.email, "password": password})
    assert response.status_code == 302
    assert client.session.session_key != guest_key  # rotated, and still the cart followed
    assert Cart.objects.count() == 1
    merged = dict(CartItem.objects.filter(cart__user=shopper).values_list("variant_id", "quantity"))
    assert merged == {a.pk: 2, b.pk: 3, c.pk: 1}
    page = client.get("/cart/")
    assert "lowered" in " ".join(messages_of(page))
    client.post("/accounts/logout/")
    assert "data-cart-count>0<" in client.get("/cart/").content.decode()
    client.post("/accounts/login/", {"username": shopper.email, "password": password})
    assert "data-cart-count>6<" in client.get("/cart/").content.decode()


def test_login_without_guest_cart_keeps_the_member_cart(client, shopper, password):
    variant = make_variant(stock=5)
    cart = Cart.objects.create(user=shopper)
    CartItem.objects.create(
        cart=cart, variant=variant, quantity=2, unit_price_seen=variant.price, stock_seen=5
    )
    client.post("/accounts/login/", {"username": shopper.email, "password": password})
    assert items() == [(variant.pk, 2)]


def test_member_adds_to_own_cart(client, shopper):
    client.force_login(shopper)
    variant = make_variant(stock=5)
    add(client, variant=variant.pk, quantity="2")
    assert Cart.objects.get().user == shopper


def test_each_cart_page_shows_its_own_lines_and_an_emptied_cart_is_still_found(client, shopper):
    mine, theirs = make_variant(stock=5), make_variant(stock=5)
    add(client, variant=mine.pk, quantity="2")
    member = Client()
    member.force_login(shopper)
    add(member, variant=theirs.pk)
    guest = client.get("/cart/").context["summary"]
    assert [(line.variant.pk, line.quantity) for line in guest.lines] == [(mine.pk, 2)]
    assert guest.cart.session_key == client.session.session_key and guest.cart.user is None
    member_summary = member.get("/cart/").context["summary"]
    assert [(line.variant.pk, line.quantity) for line in member_summary.lines] == [(theirs.pk, 1)]
    assert member_summary.cart.user == shopper
    client.post("/cart/remove/", {"item": guest.lines[0].item.pk})
    emptied = client.get("/cart/")
    assert emptied.context["summary"].is_empty and emptied.context["summary"].cart == guest.cart
    assert b"Your cart is empty" in emptied.content


def test_a_new_guest_whose_drawn_key_is_taken_gets_another(client, monkeypatch):
    """A clash of random session keys (never seen, 36^32 keys) rolls back the cart made under the
    taken key and draws again: the guest ends with its own session and cart, the other untouched."""
    from shop.core import sessions
    from shop.core.models import Session

    taken = "t" * 32
    Session.objects.create(
        session_key=taken, session_data="{}", expire_date=timezone.now() + timedelta(days=1)
    )
    keys = iter([taken, "n" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))
    variant = make_variant(stock=5)
    assert add(client, variant=variant.pk).status_code == 302
    assert client.session.session_key == "n" * 32
    assert list(Cart.objects.values_list("session_key", flat=True)) == ["n" * 32]
    assert Session.objects.get(session_key=taken).session_data == "{}"
    assert items() == [(variant.pk, 1)]


def test_quantity_constraint_in_the_database(db):
    from django.db import IntegrityError, transaction

    variant = make_variant()
    cart = Cart.objects.create(session_key="k" * 32)
    for bad in (0, LINE_QUANTITY_CEILING + 1):
        with pytest.raises(IntegrityError), transaction.atomic():
            CartItem.objects.create(cart=cart, variant=variant, quantity=bad, unit_price_seen=1, stock_seen=1)


def test_the_line_maximum_is_a_setting_within_the_database_ceiling(client, settings):
    settings.SHOP_MAX_LINE_QUANTITY = 30
    variant = make_variant(stock=50)
    add(client, variant=variant.pk, quantity="25")
    assert CartItem.objects.get(variant=variant).quantity == 25


def test_a_line_maximum_above_the_database_ceiling_is_refused_at_start_up(settings):
    from django.core.checks import run_checks

    settings.SHOP_MAX_LINE_QUANTITY = 500
    assert [e.id for e in run_checks() if e.id.startswith("cart.")] == ["cart.E001"]


def test_the_lines_read_in_fixed_sql_are_what_the_orm_builds(shopper, django_assert_num_queries):
    """lines_of: every concrete field of each line, variant, product and category as
    select_related("variant__product__category") reads them, in the order added, one query."""
    from shop.cart.services import add_item, get_or_create_cart, lines_of

    hoodies = make_category("Hoodies")
    tee = make_product("Tee", price="20.00", compare_at_price=Decimal("30.00"), description="<p>Soft</p>")
    hoodie = make_product("Hoodie", category=hoodies, price="55.00")
    discounted = make_variant(hoodie, size="XL", colour="Grey", stock=3, price="49.50")
    cart = get_or_create_cart(shopper)
    for variant, quantity in ((discounted, 2), (tee.variants.first(), 1), (tee.variants.last(), 3)):
        add_item(cart, variant, quantity)
    soft_delete_product(tee)
    expected = list(cart.items.select_related("variant__product__category").order_by("created_at", "pk"))

    def chain(line):
        return (line, line.variant, line.variant.product, line.variant.product.category)

    with django_assert_num_queries(1):  # the related objects come with the lines
        read = [chain(line) for line in lines_of(cart)]
    assert [mine[0].pk for mine in read] == [item.pk for item in expected]
    for mine, theirs in zip(read, map(chain, expected), strict=True):
        for built, by_orm in zip(mine, theirs, strict=True):
            assert_built_as_by_the_orm(built, by_orm)
    assert lines_of(Cart.objects.create(session_key="x" * 32)) == []


def test_the_cart_and_its_lines_are_read_together_as_the_orm_builds_them(shopper, django_assert_num_queries):
    """cart_and_lines (the cart page): cart_for and lines_of in one query, the same instances."""
    from shop.cart.services import add_item, cart_and_lines, cart_for, get_or_create_cart, lines_of

    tee = make_product("Tee", price="20.00")
    hoodie = make_product("Hoodie", category=make_category("Hoodies"), price="55.00")
    member_cart = get_or_create_cart(shopper)
    member_cart.discount_code = "SPRING"
    member_cart.save()
    guest_cart = get_or_create_cart(session_key="g" * 32)
    for cart, lines in ((member_cart, ((hoodie, 2), (tee, 1))), (guest_cart, ((tee, 4),))):
        for product, quantity in lines:
            add_item(cart, product.variants.first(), quantity)
    get_or_create_cart(session_key="e" * 32)  # a cart without lines
    owners = (({"user": shopper}, 2), ({"session_key": "g" * 32}, 1), ({"session_key": "e" * 32}, 0))
    for owner, line_count in owners:
        expected_cart = cart_for(**owner)
        expected = [chain(item) for item in lines_of(expected_cart)]
        with django_assert_num_queries(1):
            cart, items = cart_and_lines(**owner)
            read = [(*chain(item), item.cart) for item in items]
        assert_built_as_by_the_orm(cart, expected_cart)
        assert len(read) == len(expected) == line_count
        for mine, theirs in zip(read, expected, strict=True):
            for built, by_orm in zip(mine, theirs, strict=False):
                assert_built_as_by_the_orm(built, by_orm)
            assert mine[-1] is cart
    assert cart_and_lines(session_key="n" * 32) == (None, [])
    assert cart_and_lines() == (None, [])


def chain(line):
    return (line, line.variant, line.variant.product, line.variant.product.category)


def assert_built_as_by_the_orm(built, by_orm):
    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}

    assert type(built) is type(by_orm) and fields(built) == fields(by_orm)
    assert not built._state.adding


def test_the_variant_to_add_is_read_in_fixed_sql_as_the_orm_builds_it(django_assert_num_queries):
    """find_variant: by id or by product, size and colour, the variant with its product and
    category in one query; None for what is not sold or not there."""
    from shop.cart.services import find_variant

    hoodie = make_product("Hoodie", category=make_category("Hoodies"), price="55.00", sizes=())
    grey = make_variant(hoodie, size="XL", colour="Grey", price="49.50")
    retired = make_variant(hoodie, size="S", colour="Grey", is_active=False)
    for found_by in (
        {"variant_id": str(grey.pk)},
        {"product_id": hoodie.pk, "size": " XL ", "colour": "Grey"},
    ):
        with django_assert_num_queries(1):
            found = find_variant(**found_by)
            chain = (found, found.product, found.product.category)
        by_orm = ProductVariant.objects.select_related("product__category").get(pk=grey.pk)
        for built, theirs in zip(chain, (by_orm, by_orm.product, by_orm.product.category), strict=True):
            assert_built_as_by_the_orm(built, theirs)
    assert find_variant(variant_id=retired.pk) is None
    assert find_variant(product_id=hoodie.pk, size="XL", colour="Black") is None
    assert find_variant(variant_id="999999999") is None
    assert find_variant(variant_id="1; DROP TABLE cart_cart") is None
    soft_delete_product(hoodie)
    assert find_variant(variant_id=grey.pk) is None

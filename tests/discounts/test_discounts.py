"""Discount codes: the rules, the cart's field, and the re-check under the locks at placement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.cart.models import Cart, CartItem
from shop.cart.services import summarize
from shop.catalog.models import ProductVariant
from shop.discounts.models import DiscountCode
from shop.discounts.services import DiscountError, Line, evaluate
from shop.orders import services
from shop.orders.models import Order
from shop.orders.services import CheckoutError, ShippingDetails
from tests.factories import make_category, make_product, make_variant

pytestmark = pytest.mark.django_db
D = Decimal


def details(email: str = "sam@example.com") -> ShippingDetails:
    return ShippingDetails(email, "Sam", "1 Road", "Lyon", "69001", "FR")


def code(text: str = "SPRING15", **extra) -> DiscountCode:
    extra.setdefault("value", D("15"))
    return DiscountCode.objects.create(code=text, **extra)


def cart_with(*lines: tuple[ProductVariant, int], discount_code: str = "", key: str = "s") -> Cart:
    cart = Cart.objects.create(session_key=key.ljust(32, "x"), discount_code=discount_code)
    for variant, quantity in lines:
        CartItem.objects.create(
            cart=cart,
            variant=variant,
            quantity=quantity,
            unit_price_seen=variant.price,
            stock_seen=variant.stock,
        )
    return cart


def test_percentage_and_fixed_amounts_never_exceed_the_eligible_lines():
    tee, jeans = make_product(price="20.00"), make_product(price="60.00")
    lines = [Line(tee, D("40.00")), Line(jeans, D("60.00"))]
    assert evaluate(code("P", value=D("15")), lines).amount == D("15.00")
    assert evaluate(code("F", kind="fixed", value=D("500")), lines).amount == D("100.00")
    limited = code("TEES", value=D("10"))
    limited.products.add(tee)
    applied = evaluate(limited, lines)
    assert (applied.amount, applied.shares) == (D("4.00"), (D("4.00"), D("0.00")))


def test_shares_add_up_to_the_discount():
    products = [make_product(price="3.33") for _ in range(3)]
    applied = evaluate(code("THIRD", value=D("33")), [Line(p, D("3.33")) for p in products])
    assert sum(applied.shares) == applied.amount == D("3.30")


def test_category_limit_includes_subcategories():
    parent = make_category("Tops")
    child = make_category("Polos")
    child.parent = parent
    child.save()
    polo = make_product(price="30.00")
    polo.category = child
    polo.save()
    other = make_product(price="30.00")
    tops = code("TOPS", value=D("50"))
    tops.categories.add(parent)
    assert evaluate(tops, [Line(polo, D("30.00")), Line(other, D("30.00"))]).amount == D("15.00")
    with pytest.raises(DiscountError, match="does not apply to the items in your cart"):
        evaluate(tops, [Line(other, D("30.00"))])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"is_active": False}, "has expired"),
        (
            {
                "ends_at": timezone.now() - timedelta(minutes=1),
                "starts_at": timezone.now() - timedelta(days=1),
            },
            "has expired",
        ),
        ({"starts_at": timezone.now() + timedelta(days=1)}, "is not valid yet"),
        ({"minimum_order": D("50.00")}, "needs an order of at least €50.00"),
    ],
)
def test_a_code_outside_its_rules_says_why(extra, message, settings):
    settings.SHOP_CURRENCY = "EUR"
    with pytest.raises(DiscountError, match=message):
        evaluate(code("RULES", **extra), [Line(make_product(), D("20.00"))])


def test_cart_field_applies_shows_and_removes_a_code(client, settings):
    settings.SHOP_CURRENCY = "EUR"
    code("SPRING15")
    variant = make_variant(price="40.00")
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    response = client.post("/cart/discount/", {"code": " nope "}, follow=True)
    assert "“NOPE” is not a discount code we know." in response.content.decode()
    html = client.post("/cart/discount/", {"code": "spring15"}, follow=True).content.decode()
    assert "Code SPRING15 applied: €6.00 off." in html
    assert "Discount (SPRING15)" in html and "&minus;€6.00" in html
    assert "data-cart-total>€38.90<" in html  # 40 - 6 + 4.90 shipping
    html = client.post("/cart/discount/remove/", follow=True).content.decode()
    assert "Discount (SPRING15)" not in html and 'for="discount-code">Discount code<' in html


def test_the_cart_recomputes_and_blocks_a_code_that_stopped_applying():
    spring = code("SPRING15", minimum_order=D("30.00"))
    variant = make_variant(price="40.00")
    cart = cart_with((variant, 1), discount_code="SPRING15")
    assert summarize(cart).discount == D("6.00")
    ProductVariant.objects.filter(pk=variant.pk).update(price_override=D("25.00"))
    summary = summarize(cart)
    assert summary.discount == 0 and not summary.can_check_out
    assert "needs an order of at least" in summary.discount_notice
    spring.delete()
    assert "is not a discount code we know" in summarize(cart).discount_notice


def test_the_order_keeps_a_snapshot_of_the_code_and_amount():
    spring = code("SPRING15")
    a, b = make_variant(price="30.00"), make_variant(price="10.00")
    order = services.place_order(cart_with((a, 2), (b, 1), discount_code="SPRING15"), details())
    assert (order.subtotal, order.discount, order.discount_code) == (D("70.00"), D("10.50"), "SPRING15")
    assert order.total == order.subtotal - order.discount + order.shipping
    assert [i.discount for i in order.items.order_by("pk")] == [D("9.00"), D("1.50")]
    spring.value = D("50")
    spring.save()
    order.refresh_from_db()
    assert order.discount == D("10.50")
    spring.delete()
    order.refresh_from_db()
    assert order.discount_code == "SPRING15" and order.discount_code_ref is None


def test_a_used_up_code_stops_the_checkout_and_changes_nothing():
    code("ONCE", usage_limit=1)
    variant = make_variant(stock=5)
    services.place_order(cart_with((variant, 1), discount_code="ONCE", key="a"), details("a@example.com"))
    cart = cart_with((variant, 1), discount_code="ONCE", key="b")
    with pytest.raises(CheckoutError, match=r"The code ONCE has been used up\. Your cart is kept"):
        services.place_order(cart, details("b@example.com"))
    variant.refresh_from_db()
    assert variant.stock == 4 and Order.objects.count() == 1 and cart.items.count() == 1


def test_per_customer_limit_counts_the_email_and_a_cancelled_order_gives_its_use_back():
    code("WELCOME", usage_limit_per_customer=1)
    variant = make_variant(stock=5)
    first = services.place_order(cart_with((variant, 1), discount_code="WELCOME", key="a"), details())
    with pytest.raises(CheckoutError, match="You have already used the code WELCOME"):
        services.place_order(
            cart_with((variant, 1), discount_code="WELCOME", key="b"), details("SAM@example.com")
        )
    services.cancel_order(first)
    again = services.place_order(cart_with((variant, 1), discount_code="WELCOME", key="c"), details())
    assert again.discount > 0

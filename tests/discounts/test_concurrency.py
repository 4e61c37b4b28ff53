"""Two shoppers, one code with one use left: real threads, real PostgreSQL row locks."""

from decimal import Decimal

import pytest

from shop.cart.models import Cart, CartItem
from shop.discounts.models import DiscountCode
from shop.orders import services
from shop.orders.models import Order
from shop.orders.services import CheckoutError, ShippingDetails
from tests.orders.factories import make_variant
from tests.orders.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_code_with_one_use_left_is_used_once_whatever_the_race():
    DiscountCode.objects.create(code="LAST", value=Decimal("10"), usage_limit=1)
    variants = [make_variant(stock=5) for _ in range(6)]
    carts = []
    for i, variant in enumerate(variants):
        cart = Cart.objects.create(session_key=f"code-race-{i}".ljust(32, "x"), discount_code="LAST")
        CartItem.objects.create(
            cart=cart, variant=variant, quantity=1, unit_price_seen=variant.price, stock_seen=5
        )
        carts.append(cart)

    def place(i: int):
        details = ShippingDetails(f"s{i}@example.com", "S", "1 Road", "Lyon", "69001", "FR")
        return services.place_order(carts[i], details)

    results = run_together(6, place)
    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CheckoutError)]
    assert len(orders) == 1 and len(refused) == 5, results
    assert all("has been used up" in str(r) for r in refused)
    assert Order.objects.filter(discount_code="LAST").count() == 1

"""Real PostgreSQL, real threads, each with its own connection: no oversell, no double restock."""

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.cart.models import Cart, CartItem
from shop.catalog.models import ProductVariant
from shop.discounts.models import DiscountCode
from shop.orders import services
from shop.orders.models import Order
from shop.orders.services import CheckoutError, ShippingDetails, TransitionNotAllowed
from tests.factories import make_order, make_variant, run_together

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = ShippingDetails(
    email="race@example.com",
    full_name="Racer",
    line1="1 Track",
    city="Monza",
    postal_code="20900",
    country="IT",
)


def test_twenty_four_shoppers_race_for_the_last_five_units():
    variant = make_variant(stock=5)
    carts = []
    for i in range(24):
        cart = Cart.objects.create(session_key=f"race-{i:02d}".ljust(32, "x"))
        CartItem.objects.create(
            cart=cart, variant=variant, quantity=1, unit_price_seen=variant.price, stock_seen=5
        )
        carts.append(cart)

    results = run_together(24, lambda i: services.place_order(carts[i], DETAILS))

    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CheckoutError)]
    assert len(orders) == 5, results
    assert len(refused) == 19, results
    assert all("sold out" in str(r) for r in refused)
    variant.refresh_from_db()
    assert variant.stock == 0
    assert Order.objects.count() == 5
    assert CartItem.objects.count() == 19  # the losers keep their carts


def test_many_units_per_checkout_never_oversell():
    variant = make_variant(stock=7)
    carts = []
    for i in range(20):
        cart = Cart.objects.create(session_key=f"bulk-{i:02d}".ljust(32, "x"))
        CartItem.objects.create(
            cart=cart, variant=variant, quantity=2, unit_price_seen=variant.price, stock_seen=7
        )
        carts.append(cart)
    results = run_together(20, lambda i: services.place_order(carts[i], DETAILS))
    assert sum(isinstance(r, Order) for r in results) == 3
    variant.refresh_from_db()
    assert variant.stock == 1


def test_two_carts_locking_the_same_variants_in_opposite_order_do_not_deadlock():
    a, b = make_variant(stock=20), make_variant(stock=20)
    carts = []
    for i in range(20):
        cart = Cart.objects.create(session_key=f"dead-{i:02d}".ljust(32, "x"))
        first, second = (a, b) if i % 2 else (b, a)
        CartItem.objects.create(cart=cart, variant=first, quantity=1, unit_price_seen=1, stock_seen=1)
        CartItem.objects.create(cart=cart, variant=second, quantity=1, unit_price_seen=1, stock_seen=1)
        carts.append(cart)
    results = run_together(20, lambda i: services.place_order(carts[i], DETAILS))
    assert all(isinstance(r, Order) for r in results), results
    assert list(ProductVariant.objects.filter(pk__in=[a.pk, b.pk]).values_list("stock", flat=True)) == [0, 0]


def test_cancel_racing_expire_restores_stock_once():
    variant = make_variant(stock=10)
    orders = [
        make_order([(variant, 1)], payment_due_at=timezone.now() - timedelta(minutes=5)) for _ in range(6)
    ]

    def work(i: int):
        if i % 2:
            return services.expire_orders()
        cancelled = []
        for order in orders:
            with contextlib.suppress(TransitionNotAllowed):
                cancelled.append(services.cancel_order(Order.objects.get(pk=order.pk), actor_label="shopper"))
        return cancelled

    results = run_together(6, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    cancelled = [o.pk for r in results for o in r]
    assert sorted(cancelled) == sorted(o.pk for o in orders)  # each one exactly once
    variant.refresh_from_db()
    assert variant.stock == 10
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.CANCELLED}
    for order in orders:
        assert order.events.count() == 1


def test_concurrent_expire_runs_share_the_work():
    variant = make_variant(stock=30)
    overdue = timezone.now() - timedelta(minutes=1)
    for _ in range(20):
        make_order([(variant, 1)], payment_due_at=overdue)
    results = run_together(4, lambda i: services.expire_orders())
    assert sum(len(r) for r in results) == 20, results
    variant.refresh_from_db()
    assert variant.stock == 30


def test_paying_while_expiring_ends_in_one_state():
    variant = make_variant(stock=2)
    order = make_order([(variant, 1)], payment_due_at=timezone.now() - timedelta(minutes=1))

    def work(i: int):
        if i == 0:
            return services.expire_orders()
        return services.mark_paid(Order.objects.get(pk=order.pk), actor_label="stripe webhook")

    results = run_together(2, work)
    order.refresh_from_db()
    variant.refresh_from_db()
    if order.status == Order.Status.PAID:
        assert variant.stock == 1 and results[0] == []
    else:
        assert order.status == Order.Status.CANCELLED
        assert variant.stock == 2 and isinstance(results[1], TransitionNotAllowed)


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

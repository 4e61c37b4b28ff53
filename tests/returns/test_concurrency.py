"""Returns against checkout and against each other: real threads, real row locks."""

import pytest

from shop.cart.models import Cart, CartItem
from shop.catalog.models import ProductVariant
from shop.orders.models import Order
from shop.orders.services import CheckoutError, ShippingDetails, place_order
from shop.returns import services
from shop.returns.models import ReturnRequest
from shop.returns.services import WantedReturn
from tests.factories import committed, delivered_order, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _approved_exchange(size: str):
    order, _, variants = delivered_order(committed, stock=5)
    tee = order.items.order_by("pk").first()
    ret = services.request_return(order, [WantedReturn(tee.pk, 1, "too_small", variants[size].pk)])
    return services.approve_return(ret, actor=None), variants


def test_the_last_unit_of_the_wanted_size_goes_to_one_of_exchange_and_checkout():
    ret, variants = _approved_exchange("L")
    ProductVariant.objects.filter(pk=variants["L"].pk).update(stock=1)
    cart = Cart.objects.create(session_key="racer")
    CartItem.objects.create(
        cart=cart, variant=variants["L"], quantity=1, unit_price_seen="19.90", stock_seen=1
    )
    details = ShippingDetails("race@example.com", "Racer", "1 Track", "Monza", "20900", "IT")

    def work(i):
        if i == 0:
            return services.receive_return(ret, actor=None)
        return place_order(cart, details)

    results = run_together(2, work)
    received, checkout = results
    assert isinstance(received, ReturnRequest), received
    variants["L"].refresh_from_db()
    assert variants["L"].stock == 0
    if isinstance(checkout, CheckoutError):
        assert received.exchange_order is not None and received.refund_amount == 0
    else:
        assert isinstance(checkout, Order)
        assert received.exchange_order is None and str(received.refund_amount) == "19.90"


def test_two_staff_receiving_at_once_restock_once():
    ret, variants = _approved_exchange("L")
    before = ProductVariant.objects.get(pk=variants["M"].pk).stock
    results = run_together(2, lambda i: services.receive_return(ret, actor=None))
    assert sum(isinstance(r, ReturnRequest) for r in results) == 1
    assert sum(isinstance(r, services.ReturnNotAllowed) for r in results) == 1
    assert ProductVariant.objects.get(pk=variants["M"].pk).stock == before + 1
    assert Order.objects.filter(exchange_for=ret.order).count() == 1

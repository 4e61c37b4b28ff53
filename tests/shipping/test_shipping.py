"""Shipping: the flat rate below the threshold, free from it, on what the goods cost after a code."""

from decimal import Decimal

import pytest

from shop.discounts.models import DiscountCode
from shop.shipping.services import missing_for_free_shipping, shipping_for
from tests.factories import make_variant

D = Decimal


@pytest.fixture
def rates(settings):
    settings.SHOP_CURRENCY = "EUR"
    settings.SHOP_FREE_SHIPPING_THRESHOLD = D("75.00")
    settings.SHOP_SHIPPING_FLAT_RATE = D("4.90")


@pytest.mark.usefixtures("rates")
@pytest.mark.parametrize(
    ("goods", "shipping", "missing"),
    [
        ("0.00", "0.00", "75.00"),
        ("0.01", "4.90", "74.99"),
        ("74.99", "4.90", "0.01"),
        ("75.00", "0.00", "0.00"),
    ],
)
def test_flat_rate_below_the_threshold_and_free_from_it(goods, shipping, missing):
    assert shipping_for(D(goods)) == D(shipping)
    assert missing_for_free_shipping(D(goods)) == D(missing)


@pytest.mark.django_db
@pytest.mark.usefixtures("rates")
def test_the_cart_counts_what_is_missing_after_the_discount(client):
    """80.00 of goods less a 10% code is 72.00: shipping is charged and 3.00 more ships free."""
    DiscountCode.objects.create(code="TEN", value=D("10"))
    variant = make_variant(price="40.00", stock=5)
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    html = client.post("/cart/discount/", {"code": "ten"}, follow=True).content.decode()
    assert "data-cart-total>€76.90<" in html  # 80 - 8 + 4.90
    assert "Add €3.00 more for free shipping." in html

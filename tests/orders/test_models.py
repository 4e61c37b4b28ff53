"""The database keeps order money consistent, whatever code writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shop.orders.models import Order, OrderItem
from tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "changes",
    [
        {"total": Decimal("1.00")},
        {"subtotal": Decimal("-1.00"), "total": Decimal("3.90")},
        {"shipping": Decimal("-4.90"), "total": Decimal("15.10")},
        {"status": "lost"},
    ],
)
def test_order_constraints(changes):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"line_total": Decimal("999.00")},
        {"quantity": 0, "line_total": 0},
        {"unit_price": -1, "line_total": -1},
    ],
)
def test_line_constraints(changes):
    item = make_order().items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItem.objects.filter(pk=item.pk).update(**changes)


def test_numbers_use_an_unambiguous_alphabet():
    numbers = {make_order().number for _ in range(30)}
    assert len(numbers) == 30
    assert not set("".join(numbers)) & set("01OIL")

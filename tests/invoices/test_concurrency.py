"""Invoice numbers under concurrent payments: real threads, each with its own connection."""

import pytest
from django.utils import timezone

from shop.invoices.models import Invoice
from shop.invoices.services import issue_invoice
from shop.payments.services import create_payment, settle_test_payment
from tests.factories import make_order, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_payments_at_the_same_moment_get_consecutive_numbers():
    orders = [make_order() for _ in range(6)]
    payments = [create_payment(order, "test") for order in orders]
    results = run_together(6, lambda i: settle_test_payment(payments[i], succeed=True))
    assert not [r for r in results if isinstance(r, Exception)]
    year = timezone.localdate().year
    invoices = Invoice.objects.order_by("sequence")
    assert [i.sequence for i in invoices] == [1, 2, 3, 4, 5, 6]
    assert [i.number for i in invoices] == [f"{year}-{n:06d}" for n in range(1, 7)]
    assert {i.order_id for i in invoices} == {o.pk for o in orders}


def test_issuing_one_order_twice_at_once_gives_one_invoice():
    order = make_order(status="paid", paid_at=timezone.now())
    results = run_together(4, lambda i: issue_invoice(order).number)
    assert len(set(results)) == 1 and not isinstance(results[0], Exception)
    assert Invoice.objects.count() == 1

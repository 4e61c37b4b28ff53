"""The same event delivered at the same moment, and two staff refunding at once: each counts once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from shop.orders.models import Order, OrderEvent
from shop.payments.models import PaymentLog, Refund
from shop.payments.refunds import RefundNotAllowed, refund_payment
from tests.factories import start_payment
from tests.payments.fake_stripe import completed_event, post_signed

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_event_delivered_concurrently_is_acted_on_once(stripe_server, order):
    _, payment = start_payment(order)
    event = completed_event(stripe_server, payment)

    responses = run_together(lambda: post_signed(Client(), event), 5)

    assert [r.status_code for r in responses] == [200] * 5
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert PaymentLog.objects.filter(event_id=event["id"]).count() == 1


def test_two_refunds_at_once_never_exceed_the_payment(stripe_server, order, post_event):
    _, payment = start_payment(order)
    post_event(completed_event(stripe_server, payment))
    payment.refresh_from_db()

    results = run_together(lambda: refund_payment(payment, Decimal("50.00"), "at once", None), 2)

    refused = [r for r in results if isinstance(r, RefundNotAllowed)]
    made = [r for r in results if isinstance(r, Refund)]
    assert len(made) == 1, results
    assert len(refused) == 1
    assert Refund.objects.get().amount == Decimal("50.00")
    assert len(stripe_server.calls("POST", "/v1/refunds")) == 1


def test_two_tabs_paid_at_the_same_moment_pay_once_and_refund_one(stripe_server, order):
    """Both sessions were paid; their confirmations race: one pays the order, the other goes back."""
    _, first = start_payment(order)
    first_paid = completed_event(stripe_server, first)
    _, second = start_payment(order)
    events = iter([first_paid, completed_event(stripe_server, second)])
    lock = threading.Lock()

    def deliver():
        with lock:
            event = next(events)
        return post_signed(Client(), event)

    responses = run_together(deliver, 2)

    assert [r.status_code for r in responses] == [200, 200]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    [refund] = Refund.objects.all()
    assert (str(refund.amount), refund.status) == ("79.70", Refund.Status.SUCCEEDED)
    assert len(stripe_server.calls("POST", "/v1/refunds")) == 1
    assert set(order.payments.values_list("status", flat=True)) == {"paid"}

"""A second payment for an order another attempt already paid is refunded in full; the order stays paid."""

import pytest

from shop.catalog.models import ProductVariant
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentLog, Refund
from shop.payments.refunds import refund_payment
from shop.payments.services import DUPLICATE_REFUND_REASON, settle_test_payment
from tests.factories import start_payment
from tests.payments.fake_stripe import charge_refunded_event, completed_event, stripe_event

pytestmark = pytest.mark.django_db


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


@pytest.fixture
def paid_twice(stripe_server, order, post_event, django_capture_on_commit_callbacks):
    """The shopper paid in the old tab while pressing Pay now: Stripe could not expire the old session.

    Returns (order, the payment that paid the order, the duplicate one).
    """
    _, old = start_payment(order)
    old_paid = completed_event(stripe_server, old)
    _, new = start_payment(order)
    old.refresh_from_db()
    assert old.status == Payment.Status.CANCELLED  # closed locally, though Stripe refused to expire it
    new_paid = completed_event(stripe_server, new)

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(new_paid).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(old_paid).status_code == 200

    return order, Payment.objects.get(pk=new.pk), Payment.objects.get(pk=old.pk)


def test_the_old_session_paid_after_pay_now_is_refunded_in_full(stripe_server, paid_twice):
    order, payer, duplicate = paid_twice

    assert _status(order) == Order.Status.PAID
    assert order.events.filter(to_status=Order.Status.PAID).count() == 1
    assert (payer.status, duplicate.status) == (Payment.Status.PAID, Payment.Status.PAID)
    assert not payer.refunds.exists()
    refund = duplicate.refunds.get()
    assert (str(refund.amount), refund.status, refund.reason) == (
        "79.70",
        Refund.Status.SUCCEEDED,
        DUPLICATE_REFUND_REASON,
    )
    [call] = stripe_server.calls("POST", "/v1/refunds")
    assert call.params["payment_intent"] == duplicate.provider_payment_id
    assert call.params["amount"] == "7970"
    assert call.headers["idempotency-key"] == f"refund-{refund.pk}"


def test_stripes_refund_event_for_the_duplicate_leaves_the_order_paid(stripe_server, paid_twice, post_event):
    order, _, duplicate = paid_twice
    refund = duplicate.refunds.get()

    event = charge_refunded_event(
        duplicate.provider_payment_id,
        amount=7970,
        refunds=[{"id": refund.provider_reference, "amount": 7970, "status": "succeeded"}],
    )
    assert post_event(event).status_code == 200

    assert _status(order) == Order.Status.PAID
    assert Refund.objects.count() == 1


def test_a_later_event_of_the_paying_session_refunds_nothing(stripe_server, paid_twice, post_event):
    """A second confirmation of the payment that paid the order (async success) is not a duplicate."""
    order, payer, _ = paid_twice
    session = dict(stripe_server.sessions[payer.provider_reference])

    assert post_event(stripe_event("checkout.session.async_payment_succeeded", session)).status_code == 200

    assert not payer.refunds.exists()
    assert len(stripe_server.calls("POST", "/v1/refunds")) == 1
    assert _status(order) == Order.Status.PAID


def test_refunding_the_paying_payment_in_full_refunds_the_order(paid_twice, staff_user):
    order, payer, _ = paid_twice

    refund_payment(payer, "79.70", "Returned", staff_user)

    assert _status(order) == Order.Status.REFUNDED


def test_cancelling_with_the_paying_payment_refunded_restocks(paid_twice, staff_user):
    order, payer, _ = paid_twice
    variant = ProductVariant.objects.get(pk=order.items.first().variant_id)
    stock = variant.stock

    refund_payment(payer, "79.70", "Cancelled", staff_user, cancel=True)

    assert _status(order) == Order.Status.CANCELLED
    variant.refresh_from_db()
    assert variant.stock == stock + order.items.first().quantity


def test_a_partial_refund_of_the_paying_payment_keeps_the_order_paid(paid_twice, staff_user):
    """79.70 of 159.40 taken has gone back with the duplicate; 10.00 more is not everything."""
    order, payer, _ = paid_twice

    refund_payment(payer, "10.00", "Part", staff_user)

    assert _status(order) == Order.Status.PAID


def test_two_test_payments_pay_once_and_the_second_is_refunded(order, django_capture_on_commit_callbacks):
    """Two tabs with the test provider (the page's own check bypassed): the second payment goes back."""
    _, first = start_payment(order)
    _, second = start_payment(order)

    with django_capture_on_commit_callbacks(execute=True):
        settle_test_payment(second, succeed=True)
    with django_capture_on_commit_callbacks(execute=True):
        settle_test_payment(first, succeed=True)

    assert _status(order) == Order.Status.PAID
    assert order.events.filter(to_status=Order.Status.PAID).count() == 1
    first.refresh_from_db()
    assert first.status == Payment.Status.PAID
    assert first.refunds.get().status == Refund.Status.SUCCEEDED
    assert not second.refunds.exists()
    assert PaymentLog.objects.filter(provider="test", event_type="payment.paid").count() == 2


def test_a_payment_for_a_refunded_order_is_refunded_too(
    stripe_server, order, post_event, django_capture_on_commit_callbacks, staff_user
):
    """The order was paid and refunded in full; an old session paid afterwards does not keep the money."""
    _, old = start_payment(order)
    old_paid = completed_event(stripe_server, old)
    _, new = start_payment(order)
    post_event(completed_event(stripe_server, new))
    refund_payment(Payment.objects.get(pk=new.pk), "79.70", "Returned", staff_user)
    assert _status(order) == Order.Status.REFUNDED

    with django_capture_on_commit_callbacks(execute=True):
        post_event(old_paid)

    old.refresh_from_db()
    assert old.refunds.get().status == Refund.Status.SUCCEEDED
    assert _status(order) == Order.Status.REFUNDED

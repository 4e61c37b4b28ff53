"""A cancelled unpaid order closes its checkout, so nobody pays for goods back on the shelf."""

import pytest

from shop.orders.models import Order
from shop.orders.services import cancel_order, expire_orders
from shop.payments.models import Payment, PaymentLog
from tests.factories import start_payment

pytestmark = pytest.mark.django_db


def test_an_expired_order_expires_its_stripe_sessions(
    stripe_server, order, django_capture_on_commit_callbacks, settings
):
    _, first = start_payment(order)
    _, second = start_payment(order)
    Order.objects.filter(pk=order.pk).update(payment_due_at=order.created_at)

    with django_capture_on_commit_callbacks(execute=True):
        [expired] = expire_orders()

    assert expired.pk == order.pk
    assert {c.path for c in stripe_server.calls("POST", "/v1/checkout/sessions/")} == {
        f"/v1/checkout/sessions/{first.provider_reference}/expire",
        f"/v1/checkout/sessions/{second.provider_reference}/expire",
    }
    assert stripe_server.sessions[first.provider_reference]["status"] == "expired"
    assert set(order.payments.values_list("status", flat=True)) == {Payment.Status.CANCELLED}


def test_stripe_down_while_expiring_is_logged_never_raised(
    stripe_server, order, django_capture_on_commit_callbacks, caplog
):
    start_payment(order)
    stripe_server.fail_with = 503

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order, actor_label="shopper", note="Changed my mind")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert "Could not close checkout" in caplog.text
    assert PaymentLog.objects.filter(event_type="checkout.session.expire", outcome="failed").exists()


def test_a_paid_order_changing_status_touches_no_checkout(
    stripe_server, order, django_capture_on_commit_callbacks, post_event
):
    from tests.payments.fake_stripe import completed_event

    _, payment = start_payment(order)
    post_event(completed_event(stripe_server, payment))
    requests_before = len(stripe_server.requests)
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order, actor_label="staff", refunded=True)
    assert len(stripe_server.requests) == requests_before


def test_a_test_provider_payment_page_closes_with_the_order(
    client, order, django_capture_on_commit_callbacks
):
    _, payment = start_payment(order)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order, actor_label="expire_orders")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    response = client.post(f"/payments/test/{payment.token}/", {"action": "pay"})
    assert response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert not PaymentLog.objects.filter(payment=payment).exists()

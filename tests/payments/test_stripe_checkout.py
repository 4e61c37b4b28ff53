"""Starting a Stripe Checkout: what the shop sends, and what the shopper sees when Stripe is down."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from shop.orders.models import Order
from shop.orders.payment import PaymentUnavailable
from shop.orders.services import expire_orders, extend_payment_deadline
from shop.payments.models import Payment, PaymentLog
from shop.payments.services import begin_payment
from tests.factories import make_order, make_product, make_variant, start_payment

pytestmark = pytest.mark.django_db


def test_session_is_built_from_the_order_in_minor_units(stripe_server, order):
    url, payment = start_payment(order)

    session_id = payment.provider_reference
    assert url == f"{stripe_server.url}/pay/{session_id}"
    [call] = stripe_server.calls("POST", "/v1/checkout/sessions")
    sent = call.params
    assert sent["mode"] == "payment"
    assert sent["client_reference_id"] == order.number
    assert sent["metadata"] == {"order_number": order.number, "payment_id": str(payment.pk)}
    assert sent["payment_intent_data"]["metadata"]["order_number"] == order.number
    assert sent["customer_email"] == "guest@example.com"
    lines = [
        (line["price_data"]["product_data"]["name"], line["price_data"]["unit_amount"], line["quantity"])
        for line in sent["line_items"]
    ]
    items = list(order.items.all())
    assert lines == [
        (f"{items[0].product_name} (M / Black)", "1990", "2"),
        (f"{items[1].product_name} (M / Black)", "3500", "1"),
        ("Shipping", "490", "1"),
    ]
    assert {line["price_data"]["currency"] for line in sent["line_items"]} == {"eur"}
    assert stripe_server.sessions[session_id]["amount_total"] == 7970
    assert call.headers["idempotency-key"] == f"checkout-{order.number}-1"
    assert call.headers["authorization"] == "Bearer sk_test_fake"
    assert sent["success_url"] == f"http://testserver/payments/return/{payment.token}/"
    assert sent["cancel_url"] == f"http://testserver{order.get_absolute_url()}"
    assert payment.provider == "stripe"
    assert payment.amount == order.total
    assert payment.status == Payment.Status.PENDING
    out = PaymentLog.objects.get(payment=payment, direction="out")
    assert out.event_type == "checkout.session.create"
    assert out.payload["response"]["id"] == session_id


def test_free_shipping_sends_no_shipping_line(stripe_server):
    order = make_order([(make_variant(make_product(price="80.00", sizes=())), 1)], shipping="0.00")
    start_payment(order)
    [call] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert [line["price_data"]["unit_amount"] for line in call.params["line_items"]] == ["8000"]


def test_each_attempt_has_its_own_idempotency_key(stripe_server, order):
    start_payment(order)
    start_payment(order)
    creates = [c for c in stripe_server.requests if c.path == "/v1/checkout/sessions"]
    keys = [c.headers["idempotency-key"] for c in creates]
    assert keys == [f"checkout-{order.number}-1", f"checkout-{order.number}-2"]
    assert list(order.payments.values_list("attempt", flat=True)) == [1, 2]


def test_a_new_attempt_closes_the_older_open_session(stripe_server, order):
    _, first = start_payment(order)
    _, second = start_payment(order)
    first.refresh_from_db()
    assert first.status == Payment.Status.CANCELLED
    assert stripe_server.sessions[first.provider_reference]["status"] == "expired"
    assert stripe_server.sessions[second.provider_reference]["status"] == "open"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_an_older_session_paid_anyway_still_pays_the_order(stripe_server, order, post_event):
    """Stripe could not expire it (the shopper was paying in the old tab): the money still counts."""
    from tests.payments.fake_stripe import completed_event

    _, first = start_payment(order)
    event = completed_event(stripe_server, first)  # paid before the new attempt could expire it
    start_payment(order)
    assert post_event(event).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    first.refresh_from_db()
    assert first.status == Payment.Status.PAID


def test_an_order_no_longer_pending_is_not_sent_to_stripe(stripe_server, order):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    order.refresh_from_db()
    assert begin_payment(order, site_url="http://testserver/") == order.get_absolute_url()
    assert stripe_server.requests == []
    assert not order.payments.exists()


def _assert_unavailable(order, excinfo):
    assert "not answering" in str(excinfo.value)
    assert "try again" in excinfo.value.message
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    payment = order.payments.get()
    assert payment.status == Payment.Status.FAILED


def test_stripe_5xx_gives_a_retry_message_and_leaves_the_order_pending(stripe_server, order):
    stripe_server.fail_with = 503
    with pytest.raises(PaymentUnavailable) as excinfo:
        start_payment(order)
    _assert_unavailable(order, excinfo)
    calls = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert len(calls) == 2, "one retry"
    assert {c.headers["idempotency-key"] for c in calls} == {f"checkout-{order.number}-1"}
    assert PaymentLog.objects.get(direction="out").outcome == "failed"


def test_stripe_timeout_gives_a_retry_message(stripe_server, order, settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    stripe_server.delay = 2.0
    with pytest.raises(PaymentUnavailable) as excinfo:
        start_payment(order)
    _assert_unavailable(order, excinfo)


def test_connection_refused_gives_a_retry_message(stripe_server, order, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with pytest.raises(PaymentUnavailable) as excinfo:
        start_payment(order)
    _assert_unavailable(order, excinfo)


def test_a_retry_after_stripe_came_back_works(stripe_server, order):
    stripe_server.fail_with = 500
    with pytest.raises(PaymentUnavailable):
        start_payment(order)
    stripe_server.fail_with = None
    url, payment = start_payment(order)
    assert url == f"{stripe_server.url}/pay/{payment.provider_reference}"
    assert payment.attempt == 2
    assert payment.provider_reference in stripe_server.sessions


def test_missing_stripe_key_refuses_with_a_message(stripe_server, order, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentUnavailable, match="not configured"):
        start_payment(order)
    assert not order.payments.exists()
    assert stripe_server.requests == []


def test_an_unknown_provider_setting_refuses_with_a_message(order, settings):
    settings.PAYMENT_PROVIDER = "paypal"
    with pytest.raises(PaymentUnavailable, match="Unknown payment provider"):
        start_payment(order)
    assert not order.payments.exists()


def test_a_session_created_near_the_deadline_extends_it(stripe_server, order):
    """Stripe keeps a session open at least 31 minutes: the order stays payable as long as it is."""
    near = timezone.now() + timedelta(minutes=2)
    Order.objects.filter(pk=order.pk).update(payment_due_at=near)
    order.refresh_from_db()

    _, payment = start_payment(order)

    [call] = stripe_server.calls("POST", "/v1/checkout/sessions")
    session_closes = datetime.fromtimestamp(int(call.params["expires_at"]), tz=UTC)
    assert stripe_server.sessions[payment.provider_reference]["expires_at"] == int(call.params["expires_at"])
    assert session_closes > near + timedelta(minutes=28)
    order.refresh_from_db()
    assert order.payment_due_at == session_closes
    assert expire_orders(now=near + timedelta(minutes=1)) == []
    assert order.status == Order.Status.PENDING_PAYMENT


def test_pay_now_near_the_deadline_extends_it_again(stripe_server, order):
    start_payment(order)
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() + timedelta(minutes=1))
    order.refresh_from_db()

    _, second = start_payment(order)

    order.refresh_from_db()
    expires_at = stripe_server.sessions[second.provider_reference]["expires_at"]
    assert order.payment_due_at == datetime.fromtimestamp(expires_at, tz=UTC)


def test_a_session_closing_before_the_deadline_leaves_it(stripe_server, order):
    later = timezone.now() + timedelta(hours=2)
    Order.objects.filter(pk=order.pk).update(payment_due_at=later)
    order.refresh_from_db()

    start_payment(order)

    order.refresh_from_db()
    assert order.payment_due_at == later


def test_extend_payment_deadline_never_shortens_nor_touches_a_closed_order(order):
    due = order.payment_due_at
    assert extend_payment_deadline(order, due - timedelta(minutes=5)).payment_due_at == due

    later = due + timedelta(minutes=10)
    assert extend_payment_deadline(order, later).payment_due_at == later
    order.refresh_from_db()
    assert order.payment_due_at == later

    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    extend_payment_deadline(order, later + timedelta(hours=1))
    order.refresh_from_db()
    assert order.payment_due_at == later

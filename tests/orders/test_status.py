"""Every allowed and every refused transition of the order life, through the one service."""

import itertools

import pytest
from django.core.management import call_command

from shop.orders import services
from shop.orders.models import Order, OrderEvent
from shop.orders.services import TransitionNotAllowed
from shop.orders.signals import order_status_changed
from shop.orders.status import TRANSITIONS
from tests.factories import make_order, make_variant

pytestmark = pytest.mark.django_db
S = Order.Status

ALLOWED = {
    (S.PENDING_PAYMENT, S.PAID),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PAID, S.SHIPPED),
    (S.PAID, S.CANCELLED),  # only with refunded=True, see below
    (S.PAID, S.REFUNDED),
    (S.SHIPPED, S.DELIVERED),
    (S.SHIPPED, S.REFUNDED),
    (S.DELIVERED, S.REFUNDED),
}
REFUSED = [(a, b) for a, b in itertools.product(S.values, S.values) if (a, b) not in ALLOWED]


def test_the_map_is_the_design():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED - {(S.PAID, S.CANCELLED)}))
def test_allowed_transition_changes_status_and_records_who(from_status, to_status, staff_user):
    order = make_order(status=from_status, tracking_number="TRACK1")
    result = services.transition(order, to_status, actor=staff_user, note="by hand")
    order.refresh_from_db()
    assert order.status == to_status == result.status
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        from_status,
        to_status,
        staff_user,
        "by hand",
    )


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_transition_changes_nothing(from_status, to_status):
    order = make_order(status=from_status, tracking_number="TRACK1")
    with pytest.raises(TransitionNotAllowed):
        services.transition(order, to_status)
    order.refresh_from_db()
    assert order.status == from_status
    assert not OrderEvent.objects.exists()


def test_paid_order_is_cancelled_only_after_a_full_refund():
    variant = make_variant(stock=5)
    order = make_order([(variant, 2)], status=S.PAID)
    for attempt in (
        lambda: services.transition(order, S.CANCELLED),
        lambda: services.cancel_order(order),
    ):
        with pytest.raises(TransitionNotAllowed, match="refund"):
            attempt()
    order.refresh_from_db()
    assert order.status == S.PAID
    services.cancel_order(order, refunded=True, actor_label="stripe webhook")
    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == S.CANCELLED
    assert variant.stock == 5


def test_shipping_needs_a_tracking_number(mailoutbox, django_capture_on_commit_callbacks):
    order = make_order(status=S.PAID)
    with pytest.raises(TransitionNotAllowed, match="tracking"):
        services.mark_shipped(order, tracking_number="  ")
    with pytest.raises(TransitionNotAllowed, match="tracking"):
        services.transition(order, S.SHIPPED)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_shipped(order, tracking_number="DHL-123")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (S.SHIPPED, "DHL-123")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert order.number in mail.subject and "DHL-123" in mail.body
    assert "DHL-123" in mail.alternatives[0][0]


def test_mark_shipped_refuses_an_unpaid_order_and_keeps_the_tracking_number_empty():
    order = make_order()
    with pytest.raises(TransitionNotAllowed):
        services.mark_shipped(order, tracking_number="DHL-1")
    order.refresh_from_db()
    assert order.tracking_number == ""


def test_mark_paid_is_idempotent_and_sends_one_confirmation(mailoutbox, django_capture_on_commit_callbacks):
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_paid(order, actor_label="test provider", reference="pi_1")
        services.mark_paid(order, actor_label="test provider", reference="pi_1")
    order.refresh_from_db()
    assert order.status == S.PAID and order.paid_at is not None
    assert order.events.count() == 1
    assert len(mailoutbox) == 1
    assert order.number in mailoutbox[0].subject
    assert order.get_absolute_url() in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_mark_paid_on_shipped_order_changes_nothing():
    order = make_order(status=S.SHIPPED, tracking_number="T")
    assert services.mark_paid(order, actor_label="stripe webhook").status == S.SHIPPED
    assert not order.events.exists()


def test_mark_paid_on_cancelled_order_is_refused():
    order = make_order(status=S.CANCELLED)
    with pytest.raises(TransitionNotAllowed):
        services.mark_paid(order, actor_label="stripe webhook")


def test_mark_refunded_is_idempotent_and_refuses_unpaid_orders():
    order = make_order(status=S.DELIVERED)
    services.mark_refunded(order, actor_label="stripe webhook")
    services.mark_refunded(order, actor_label="stripe webhook")
    assert order.status == S.REFUNDED
    assert order.events.count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.mark_refunded(make_order(), actor_label="stripe webhook")


def test_refunding_without_cancelling_leaves_stock_to_staff():
    """Only a cancel (with its refund) restocks; a bare refund may be for goods that are gone."""
    paid_variant, shipped_variant = make_variant(stock=5), make_variant(stock=5)
    paid = make_order([(paid_variant, 2)], status=S.PAID)
    shipped = make_order([(shipped_variant, 2)], status=S.SHIPPED, tracking_number="T")
    services.mark_refunded(paid)
    services.mark_refunded(shipped)
    paid_variant.refresh_from_db()
    shipped_variant.refresh_from_db()
    assert (paid_variant.stock, shipped_variant.stock) == (3, 3)


def test_refund_after_cancel_with_refund_is_a_no_op():
    order = make_order(status=S.PAID, paid_at="2026-01-01T00:00:00Z")
    services.cancel_order(order, refunded=True)
    assert services.mark_refunded(order).status == S.CANCELLED


def test_cancel_restores_stock_exactly_once():
    variant = make_variant(stock=10)
    order = make_order([(variant, 3)])
    variant.refresh_from_db()
    assert variant.stock == 7
    services.cancel_order(order, actor_label="shopper")
    with pytest.raises(TransitionNotAllowed):
        services.cancel_order(order)
    assert services.expire_orders() == []
    variant.refresh_from_db()
    assert variant.stock == 10
    assert order.events.count() == 1


def test_cancel_skips_lines_whose_variant_was_deleted():
    kept, gone = make_variant(stock=4), make_variant(stock=4)
    order = make_order([(kept, 1), (gone, 1)])
    gone.delete()
    services.cancel_order(order)
    kept.refresh_from_db()
    assert kept.stock == 4


def test_signal_is_sent_after_commit_only(django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, order, from_status, to_status, **kwargs):
        seen.append((order.number, from_status, to_status))

    order_status_changed.connect(receiver)
    try:
        order = make_order()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.cancel_order(order)
        assert seen == []
        for callback in callbacks:
            callback()
        assert seen == [(order.number, S.PENDING_PAYMENT, S.CANCELLED)]
    finally:
        order_status_changed.disconnect(receiver)


def test_a_failing_listener_does_not_break_the_change(django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("listener down")

    order_status_changed.connect(broken)
    try:
        order = make_order()
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_order(order)
        order.refresh_from_db()
        assert order.status == S.CANCELLED
    finally:
        order_status_changed.disconnect(broken)


def test_expire_orders_cancels_only_overdue_unpaid_orders(capsys):
    from datetime import timedelta

    from django.utils import timezone

    variant = make_variant(stock=10)
    overdue = make_order([(variant, 2)], payment_due_at=timezone.now() - timedelta(minutes=1))
    fresh = make_order([(variant, 1)])
    paid = make_order([(variant, 1)], status=S.PAID, payment_due_at=timezone.now() - timedelta(hours=1))
    call_command("expire_orders")
    assert "Expired 1 order(s)." in capsys.readouterr().out
    for order in (overdue, fresh, paid):
        order.refresh_from_db()
    assert (overdue.status, fresh.status, paid.status) == (S.CANCELLED, S.PENDING_PAYMENT, S.PAID)
    assert overdue.events.get().actor_label == "expire_orders"
    variant.refresh_from_db()
    assert variant.stock == 8
    call_command("expire_orders")
    assert "Expired 0 order(s)." in capsys.readouterr().out


def test_order_number_and_links():
    order = make_order()
    other = make_order()
    assert len(order.number) == 10 and order.number != other.number
    assert order.access_key != other.access_key and len(order.access_key) >= 30
    assert order.get_absolute_url() == f"/orders/{order.number}/?key={order.access_key}"
    assert order.amount_due == order.total
    assert order.payment_due_at > order.created_at

"""Refunds: whole or part, through the provider, never more than was paid."""

from decimal import Decimal

import pytest

from shop.catalog.models import ProductVariant
from shop.orders.models import Order, OrderEvent
from shop.payments.models import Payment, Refund
from shop.payments.refunds import RefundNotAllowed, refund_payment
from shop.payments.services import settle_test_payment
from tests.factories import start_payment
from tests.payments.fake_stripe import charge_refunded_event, completed_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_stripe_payment(stripe_server, stripe_payment, post_event):
    post_event(completed_event(stripe_server, stripe_payment))
    return Payment.objects.select_related("order").get(pk=stripe_payment.pk)


@pytest.fixture
def paid_test_payment(order):
    _, payment = start_payment(order)
    return settle_test_payment(payment, succeed=True)


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


def test_partial_then_full_refund_through_stripe(stripe_server, paid_stripe_payment, staff_user):
    payment = paid_stripe_payment

    first = refund_payment(payment, Decimal("20.00"), "Sleeve torn", staff_user)

    assert (first.status, first.amount, first.requested_by) == ("succeeded", Decimal("20.00"), staff_user)
    assert first.provider_reference in stripe_server.refunds
    [call] = stripe_server.calls("POST", "/v1/refunds")
    assert call.params["payment_intent"] == payment.provider_payment_id
    assert call.params["amount"] == "2000"
    assert call.params["metadata"]["refund_id"] == str(first.pk)
    assert call.headers["idempotency-key"] == f"refund-{first.pk}"
    assert _status(payment.order) == Order.Status.PAID
    assert payment.refundable_amount == Decimal("59.70")

    rest = refund_payment(payment, "59.70", "Customer returned the rest", staff_user)

    assert rest.status == "succeeded"
    assert _status(payment.order) == Order.Status.REFUNDED
    event = OrderEvent.objects.get(order=payment.order, to_status=Order.Status.REFUNDED)
    assert event.actor == staff_user
    assert payment.refundable_amount == Decimal("0.00")


def test_a_refund_larger_than_what_is_left_is_refused(stripe_server, paid_stripe_payment, staff_user):
    refund_payment(paid_stripe_payment, "70.00", "Most of it", staff_user)

    with pytest.raises(RefundNotAllowed) as excinfo:
        refund_payment(paid_stripe_payment, "10.00", "Too much", staff_user)

    assert str(excinfo.value) == "Only €9.70 of this payment can still be refunded; €10.00 is more than that."
    assert Refund.objects.count() == 1
    assert len(stripe_server.calls("POST", "/v1/refunds")) == 1
    assert _status(paid_stripe_payment.order) == Order.Status.PAID


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5.00", "more than zero"),
        ("1.005", "two decimal places"),
        ("abc", "as a number"),
        ("NaN", "more than zero"),
    ],
)
def test_refund_amounts_must_be_positive_with_two_places(paid_test_payment, staff_user, amount, message):
    with pytest.raises(RefundNotAllowed, match=message):
        refund_payment(paid_test_payment, amount, "x", staff_user)
    assert not Refund.objects.exists()


def test_an_unpaid_payment_cannot_be_refunded(order, staff_user):
    _, payment = start_payment(order)
    with pytest.raises(RefundNotAllowed, match="Only a paid payment"):
        refund_payment(payment, "1.00", "x", staff_user)


def test_a_full_refund_with_the_test_provider_refunds_the_order(paid_test_payment, staff_user):
    refund = refund_payment(paid_test_payment, paid_test_payment.amount, "Changed mind", staff_user)
    assert refund.provider_reference.startswith("test_re_")
    assert _status(paid_test_payment.order) == Order.Status.REFUNDED


def test_cancelling_a_paid_order_refunds_in_full_and_restocks(paid_test_payment, staff_user):
    order = paid_test_payment.order
    stock_before = dict(ProductVariant.objects.values_list("pk", "stock"))

    refund_payment(paid_test_payment, "79.70", "Out of stock at the warehouse", staff_user, cancel=True)

    assert _status(order) == Order.Status.CANCELLED
    for item in order.items.all():
        assert (
            ProductVariant.objects.get(pk=item.variant_id).stock
            == stock_before[item.variant_id] + item.quantity
        )


def test_cancelling_needs_the_full_amount(paid_test_payment, staff_user):
    with pytest.raises(RefundNotAllowed, match="full refund"):
        refund_payment(paid_test_payment, "10.00", "x", staff_user, cancel=True)
    assert _status(paid_test_payment.order) == Order.Status.PAID
    assert not Refund.objects.exists()


def test_stripe_down_during_a_refund_records_nothing_as_refunded(
    stripe_server, paid_stripe_payment, staff_user
):
    stripe_server.fail_with = 502
    with pytest.raises(RefundNotAllowed, match="did not refund"):
        refund_payment(paid_stripe_payment, "5.00", "x", staff_user)
    assert Refund.objects.get().status == Refund.Status.FAILED
    assert paid_stripe_payment.refundable_amount == Decimal("79.70")
    assert _status(paid_stripe_payment.order) == Order.Status.PAID


def test_the_refund_webhook_after_our_own_refund_does_not_count_twice(
    stripe_server, paid_stripe_payment, staff_user, post_event
):
    ours = refund_payment(paid_stripe_payment, "30.00", "Part", staff_user)
    event = charge_refunded_event(
        paid_stripe_payment.provider_payment_id,
        amount=7970,
        refunds=[stripe_server.refunds[ours.provider_reference]],
    )
    post_event(event)
    post_event(event)

    assert Refund.objects.count() == 1
    assert paid_stripe_payment.refundable_amount == Decimal("49.70")
    assert _status(paid_stripe_payment.order) == Order.Status.PAID


def test_a_refund_that_timed_out_but_happened_is_recorded_by_the_webhook(
    stripe_server, paid_stripe_payment, staff_user, post_event
):
    stripe_server.fail_with = 500
    with pytest.raises(RefundNotAllowed):
        refund_payment(paid_stripe_payment, "79.70", "All", staff_user)
    ours = Refund.objects.get()
    stripe_refund = {
        "id": "re_made_anyway",
        "object": "refund",
        "amount": 7970,
        "status": "succeeded",
        "metadata": {"refund_id": str(ours.pk)},
    }
    post_event(
        charge_refunded_event(paid_stripe_payment.provider_payment_id, amount=7970, refunds=[stripe_refund])
    )

    ours.refresh_from_db()
    assert (ours.status, ours.provider_reference) == ("succeeded", "re_made_anyway")
    assert _status(paid_stripe_payment.order) == Order.Status.REFUNDED


def test_a_partial_dashboard_refund_then_the_rest(stripe_server, paid_stripe_payment, post_event):
    intent = paid_stripe_payment.provider_payment_id
    part = {"id": "re_1", "object": "refund", "amount": 970, "status": "succeeded"}
    rest = {"id": "re_2", "object": "refund", "amount": 7000, "status": "succeeded"}

    post_event(charge_refunded_event(intent, amount=7970, refunds=[part]))
    assert _status(paid_stripe_payment.order) == Order.Status.PAID
    post_event(charge_refunded_event(intent, amount=7970, refunds=[rest, part]))

    assert sorted(Refund.objects.values_list("provider_reference", "amount")) == [
        ("re_1", Decimal("9.70")),
        ("re_2", Decimal("70.00")),
    ]
    assert _status(paid_stripe_payment.order) == Order.Status.REFUNDED


def test_a_pending_refund_completes_through_the_webhook(
    stripe_server, paid_stripe_payment, staff_user, post_event
):
    stripe_server.refund_status = "pending"
    ours = refund_payment(paid_stripe_payment, "79.70", "All", staff_user)
    assert ours.status == Refund.Status.PENDING
    assert _status(paid_stripe_payment.order) == Order.Status.PAID
    with pytest.raises(RefundNotAllowed, match=r"Only €0\.00"):
        refund_payment(paid_stripe_payment, "1.00", "More", staff_user)

    # Stripe's charge without the refunds list: the total alone must not add a second row.
    bare = charge_refunded_event(paid_stripe_payment.provider_payment_id, amount=7970, refunds=[])
    bare["data"]["object"]["amount_refunded"] = 7970
    post_event(bare)
    assert Refund.objects.count() == 1

    done = dict(stripe_server.refunds[ours.provider_reference], status="succeeded")
    post_event(charge_refunded_event(paid_stripe_payment.provider_payment_id, amount=7970, refunds=[done]))
    ours.refresh_from_db()
    assert ours.status == Refund.Status.SUCCEEDED
    assert Refund.objects.count() == 1
    assert _status(paid_stripe_payment.order) == Order.Status.REFUNDED

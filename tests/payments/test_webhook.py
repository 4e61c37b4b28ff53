"""Stripe's webhook: signed, idempotent, and the truth about payments."""

import time

import pytest

from shop.catalog.models import ProductVariant
from shop.orders.models import Order, OrderEvent
from shop.payments.models import Payment, PaymentLog, Refund
from tests.factories import start_payment
from tests.payments.fake_stripe import charge_refunded_event, completed_event, sign, stripe_event

pytestmark = pytest.mark.django_db


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


def test_completed_session_marks_the_order_paid(stripe_server, stripe_payment, post_event):
    order = stripe_payment.order
    event = completed_event(stripe_server, stripe_payment)

    response = post_event(event)

    assert response.status_code == 200
    assert _status(order) == Order.Status.PAID
    assert order.paid_at is not None
    payment = Payment.objects.get(pk=stripe_payment.pk)
    assert payment.status == Payment.Status.PAID
    assert payment.provider_payment_id == event["data"]["object"]["payment_intent"]
    paid_event = OrderEvent.objects.get(order=order, to_status=Order.Status.PAID)
    assert paid_event.actor_label == "stripe webhook"
    log = PaymentLog.objects.get(event_id=event["id"])
    assert (log.outcome, log.payment_id, log.event_type) == (
        "processed",
        payment.pk,
        "checkout.session.completed",
    )


def test_a_replayed_event_changes_the_order_once_and_is_logged_once(
    stripe_server, stripe_payment, post_event
):
    event = completed_event(stripe_server, stripe_payment)

    responses = [post_event(event) for _ in range(10)]

    assert {r.status_code for r in responses} == {200}
    assert _status(stripe_payment.order) == Order.Status.PAID
    assert OrderEvent.objects.filter(order=stripe_payment.order, to_status=Order.Status.PAID).count() == 1
    assert PaymentLog.objects.filter(event_id=event["id"]).count() == 1
    assert PaymentLog.objects.filter(direction="in").count() == 1


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "stale timestamp", "missing header", "garbage header", "tampered body"],
)
def test_a_bad_signature_is_refused_and_changes_nothing(
    stripe_server, stripe_payment, post_event, client, how
):
    event = completed_event(stripe_server, stripe_payment)
    if how == "wrong secret":
        response = post_event(event, secret="whsec_not_ours")
    elif how == "stale timestamp":
        response = post_event(event, timestamp=int(time.time()) - 3600)
    elif how == "missing header":
        response = client.post("/payments/stripe/webhook/", data=event, content_type="application/json")
    elif how == "garbage header":
        response = post_event(event, signature="t=abc,v1=zzz")
    else:
        header = sign('{"id": "evt_other"}', "whsec_test_payments_secret")
        response = post_event(event, signature=header)

    assert response.status_code == 400
    assert _status(stripe_payment.order) == Order.Status.PENDING_PAYMENT
    assert not PaymentLog.objects.filter(direction="in").exists()


def test_no_webhook_secret_configured_refuses_everything(stripe_server, stripe_payment, post_event, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = post_event(completed_event(stripe_server, stripe_payment), secret="")
    assert response.status_code == 400
    assert _status(stripe_payment.order) == Order.Status.PENDING_PAYMENT


def test_webhook_only_takes_post(client):
    assert client.get("/payments/stripe/webhook/").status_code == 405


def test_a_signed_body_that_is_not_json_is_a_400(post_event, client, stripe_server):
    body = "not json"
    response = client.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, "whsec_test_payments_secret"),
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "override",
    [{"amount_total": 100}, {"currency": "usd"}, {"amount_total": None}],
    ids=["amount", "currency", "no amount"],
)
def test_an_amount_or_currency_mismatch_is_logged_and_not_paid(
    stripe_server, stripe_payment, post_event, override
):
    event = completed_event(stripe_server, stripe_payment, **override)

    response = post_event(event)

    assert response.status_code == 200
    assert _status(stripe_payment.order) == Order.Status.PENDING_PAYMENT
    payment = Payment.objects.get(pk=stripe_payment.pk)
    assert payment.status == Payment.Status.PENDING
    log = PaymentLog.objects.get(event_id=event["id"])
    assert log.outcome == "rejected"
    assert payment.failure_message == log.message
    assert not OrderEvent.objects.filter(order=payment.order, to_status=Order.Status.PAID).exists()


def test_a_session_of_another_order_is_not_taken(stripe_server, stripe_payment, post_event):
    event = completed_event(stripe_server, stripe_payment, client_reference_id="SOMEONEELSE")
    post_event(event)
    assert _status(stripe_payment.order) == Order.Status.PENDING_PAYMENT
    assert PaymentLog.objects.get(event_id=event["id"]).outcome == "rejected"


def test_a_failed_payment_keeps_the_order_pending_for_a_retry(stripe_server, stripe_payment, post_event):
    intent = {
        "id": "pi_fake_failed",
        "object": "payment_intent",
        "status": "requires_payment_method",
        "metadata": {"order_number": stripe_payment.order.number, "payment_id": str(stripe_payment.pk)},
        "last_payment_error": {"message": "Your card was declined."},
    }

    response = post_event(stripe_event("payment_intent.payment_failed", intent))

    assert response.status_code == 200
    payment = Payment.objects.get(pk=stripe_payment.pk)
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == "Your card was declined."
    assert _status(payment.order) == Order.Status.PENDING_PAYMENT

    # The shopper tries again in the same session and succeeds.
    post_event(completed_event(stripe_server, payment))
    assert _status(payment.order) == Order.Status.PAID


def test_a_late_failure_does_not_undo_a_payment(stripe_server, stripe_payment, post_event):
    post_event(completed_event(stripe_server, stripe_payment))
    intent = {"id": "pi_x", "object": "payment_intent", "metadata": {"payment_id": str(stripe_payment.pk)}}
    post_event(stripe_event("payment_intent.payment_failed", intent))
    assert Payment.objects.get(pk=stripe_payment.pk).status == Payment.Status.PAID
    assert _status(stripe_payment.order) == Order.Status.PAID


def test_an_expired_session_cancels_the_pending_order_and_restocks(stripe_server, stripe_payment, post_event):
    order = stripe_payment.order
    stock_before = dict(ProductVariant.objects.values_list("pk", "stock"))
    session = dict(stripe_server.sessions[stripe_payment.provider_reference], status="expired")

    response = post_event(stripe_event("checkout.session.expired", session))

    assert response.status_code == 200
    assert _status(order) == Order.Status.CANCELLED
    assert Payment.objects.get(pk=stripe_payment.pk).status == Payment.Status.CANCELLED
    for item in order.items.all():
        assert (
            ProductVariant.objects.get(pk=item.variant_id).stock
            == stock_before[item.variant_id] + item.quantity
        )


def test_an_old_session_expiring_does_not_cancel_an_order_with_a_newer_attempt(
    stripe_server, stripe_payment, post_event
):
    start_payment(stripe_payment.order)
    session = dict(stripe_server.sessions[stripe_payment.provider_reference], status="expired")
    post_event(stripe_event("checkout.session.expired", session))
    assert _status(stripe_payment.order) == Order.Status.PENDING_PAYMENT


def test_an_expired_session_of_a_paid_order_changes_nothing(stripe_server, stripe_payment, post_event):
    post_event(completed_event(stripe_server, stripe_payment))
    session = dict(stripe_server.sessions[stripe_payment.provider_reference])
    post_event(stripe_event("checkout.session.expired", session))
    assert _status(stripe_payment.order) == Order.Status.PAID


def test_events_the_shop_does_not_handle_get_a_200(post_event, stripe_server):
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    response = post_event(event)
    assert response.status_code == 200
    assert PaymentLog.objects.get(event_id=event["id"]).outcome == "ignored"


def test_a_session_the_shop_does_not_know_is_ignored(post_event, stripe_server):
    event = stripe_event(
        "checkout.session.completed",
        {"id": "cs_unknown", "object": "checkout.session", "amount_total": 100, "currency": "eur"},
    )
    assert post_event(event).status_code == 200
    assert PaymentLog.objects.get(event_id=event["id"]).outcome == "ignored"


def test_refund_before_completed_is_applied_once_the_payment_is_known(
    stripe_server, stripe_payment, post_event
):
    """Out of order: Stripe delivers charge.refunded before checkout.session.completed."""
    order = stripe_payment.order
    completed = completed_event(stripe_server, stripe_payment)
    intent = completed["data"]["object"]["payment_intent"]
    refunded = charge_refunded_event(
        intent,
        amount=7970,
        refunds=[{"id": "re_early", "object": "refund", "amount": 7970, "status": "succeeded"}],
    )

    assert post_event(refunded).status_code == 200
    assert _status(order) == Order.Status.PENDING_PAYMENT
    assert PaymentLog.objects.get(event_id=refunded["id"]).outcome == "deferred"
    assert not Refund.objects.exists()

    assert post_event(completed).status_code == 200
    for _ in range(3):
        post_event(refunded)
        post_event(completed)

    assert _status(order) == Order.Status.REFUNDED
    refund = Refund.objects.get()
    assert (refund.provider_reference, str(refund.amount), refund.status) == (
        "re_early",
        "79.70",
        "succeeded",
    )
    assert PaymentLog.objects.get(event_id=refunded["id"]).outcome == "processed"
    assert [e.to_status for e in OrderEvent.objects.filter(order=order)] == ["paid", "refunded"]
    assert PaymentLog.objects.filter(direction="in").count() == 2


def test_a_dashboard_refund_listed_only_as_a_total_is_recorded_once(
    stripe_server, stripe_payment, post_event
):
    completed = completed_event(stripe_server, stripe_payment)
    post_event(completed)
    intent = completed["data"]["object"]["payment_intent"]
    event = charge_refunded_event(intent, amount=7970, refunds=[])
    event["data"]["object"]["amount_refunded"] = 1000
    post_event(event)
    post_event(dict(event, id="evt_same_total_again"))

    refund = Refund.objects.get()
    assert str(refund.amount) == "10.00"
    assert _status(stripe_payment.order) == Order.Status.PAID


def test_a_payment_for_an_order_that_expired_meanwhile_is_refunded(
    stripe_server, stripe_payment, post_event, django_capture_on_commit_callbacks
):
    from shop.orders.services import cancel_order

    order = stripe_payment.order
    completed = completed_event(stripe_server, stripe_payment)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order, actor_label="expire_orders", note="Not paid in time.")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(completed).status_code == 200

    assert _status(order) == Order.Status.CANCELLED
    payment = Payment.objects.get(pk=stripe_payment.pk)
    assert payment.status == Payment.Status.PAID
    refund = payment.refunds.get()
    assert (str(refund.amount), refund.status) == ("79.70", "succeeded")
    [call] = stripe_server.calls("POST", "/v1/refunds")
    assert call.params["payment_intent"] == payment.provider_payment_id


@pytest.mark.parametrize(
    ("data", "status_code", "logged"),
    [
        (None, 400, False),  # not an event: refused before anything is stored
        ([], 400, False),
        ({"object": "not an object"}, 200, True),  # an event, but nothing to act on: logged as ignored
    ],
)
def test_a_signed_event_of_the_wrong_shape_changes_nothing(
    post_event, stripe_server, data, status_code, logged
):
    event = {"id": "evt_odd", "object": "event", "type": "checkout.session.completed", "data": data}
    response = post_event(event)
    assert response.status_code == status_code
    assert not PaymentLog.objects.filter(outcome="processed").exists()
    assert PaymentLog.objects.filter(event_id="evt_odd", outcome="ignored").exists() is logged

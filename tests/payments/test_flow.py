"""The shopper's way through payment, over HTTP: the test provider's page and Stripe end to end."""

from decimal import Decimal

import pytest

from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentLog, Refund
from shop.payments.services import settle_test_payment
from tests.factories import start_payment
from tests.payments.fake_stripe import completed_event

pytestmark = pytest.mark.django_db

CHECKOUT = {
    "email": "grace@example.com",
    "full_name": "Grace Hopper",
    "line1": "1 Main Street",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


@pytest.fixture
def variant(db):
    category, _ = Category.objects.get_or_create(slug="hoodies", defaults={"name": "Hoodies"})
    product = Product.objects.create(
        name="Cloud Hoodie", slug="cloud-hoodie", category=category, base_price="45.00"
    )
    return ProductVariant.objects.create(product=product, size="L", colour="Grey", sku="HOOD-L-GRY", stock=4)


def place_order(client, variant, quantity=1):
    """Cart, then checkout: returns the checkout's response (the hand-off to payment)."""
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity, "next": "/cart/"})
    assert response.status_code == 302
    return client.post("/checkout/", CHECKOUT)


# --- the test provider -------------------------------------------------------------------------


def test_checkout_leads_to_the_test_page_and_pay_marks_the_order_paid(client, variant):
    response = place_order(client, variant)

    order = Order.objects.get()
    payment = Payment.objects.get(order=order)
    assert response.status_code == 303
    assert response["Location"] == f"/payments/test/{payment.token}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        '<button class="btn btn-success btn-lg" type="submit" name="action" value="pay">Pay</button>' in html
    )
    assert 'value="fail">Fail</button>' in html
    assert "€49.90" in html

    response = client.post(f"/payments/test/{payment.token}/", {"action": "pay"})

    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.get(to_status="paid").actor_label == "test payment"
    detail = client.get(response["Location"])
    assert "Paid" in detail.content.decode()
    assert PaymentLog.objects.get(provider="test").event_type == "payment.paid"


def test_pay_pressed_twice_pays_once(client, order):
    _, payment = start_payment(order)
    client.post(f"/payments/test/{payment.token}/", {"action": "pay"})
    second = client.post(f"/payments/test/{payment.token}/", {"action": "pay"})
    assert second.status_code == 302
    assert order.events.filter(to_status="paid").count() == 1
    assert PaymentLog.objects.filter(provider="test").count() == 1


def test_settling_a_test_payment_twice_pays_once(order):
    """The service's own dedupe, without the page's check in front of it."""
    _, payment = start_payment(order)

    settle_test_payment(payment, succeed=True)
    again = settle_test_payment(payment, succeed=True)

    assert again.pk == payment.pk
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.filter(to_status="paid").count() == 1
    assert PaymentLog.objects.filter(provider="test", event_id=f"test_{payment.token}_paid").count() == 1
    assert PaymentLog.objects.filter(provider="test").count() == 1
    assert not Refund.objects.exists()


def test_fail_keeps_the_order_pending_and_pay_now_starts_a_new_attempt(client, variant):
    place_order(client, variant)
    order = Order.objects.get()
    first = order.payments.get()

    response = client.post(f"/payments/test/{first.token}/", {"action": "fail"}, follow=True)

    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == Payment.Status.FAILED
    assert order.status == Order.Status.PENDING_PAYMENT
    html = response.content.decode()
    assert "The payment failed" in html
    assert "Pay now" in html

    retry = client.post(f"/orders/{order.number}/pay/", {"key": order.access_key})
    second = order.payments.latest("pk")
    assert second.attempt == 2
    assert retry["Location"] == f"/payments/test/{second.token}/"
    client.post(retry["Location"], {"action": "pay"})
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    # The failed attempt's page no longer takes a payment.
    assert client.get(f"/payments/test/{first.token}/")["Location"] == order.get_absolute_url()


def test_an_unknown_token_is_a_404(client, db):
    assert client.get("/payments/test/not-a-token/").status_code == 404


def test_an_unknown_action_is_a_400_and_changes_nothing(client, order):
    _, payment = start_payment(order)
    response = client.post(f"/payments/test/{payment.token}/", {"action": "refund"})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert not PaymentLog.objects.exists()


def test_with_debug_off_and_no_switch_the_test_provider_takes_no_order(client, variant, settings):
    settings.DEBUG = False
    settings.ALLOW_TEST_PAYMENTS = False

    response = place_order(client, variant)

    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert not order.payments.exists()
    page = client.get(response["Location"])
    assert "Test payments are switched off" in page.content.decode()
    assert order.status == Order.Status.PENDING_PAYMENT
    # The site still serves.
    assert client.get("/cart/").status_code == 200


def test_with_the_switch_off_an_earlier_test_page_refuses_too(client, order, settings):
    _, payment = start_payment(order)
    settings.ALLOW_TEST_PAYMENTS = False
    assert client.get(f"/payments/test/{payment.token}/").status_code == 403
    assert client.post(f"/payments/test/{payment.token}/", {"action": "pay"}).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_debug_alone_allows_test_payments(order, settings):
    settings.DEBUG = True
    settings.ALLOW_TEST_PAYMENTS = False
    url, payment = start_payment(order)
    assert url == f"/payments/test/{payment.token}/"


# --- Stripe, end to end ------------------------------------------------------------------------


def test_stripe_from_cart_to_paid_order(client, variant, stripe_server, post_event):
    response = place_order(client, variant)

    order = Order.objects.get()
    payment = order.payments.get()
    assert response.status_code == 303
    assert response["Location"] == f"{stripe_server.url}/pay/{payment.provider_reference}"
    [call] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert call.params["client_reference_id"] == order.number
    assert [(li["price_data"]["unit_amount"], li["quantity"]) for li in call.params["line_items"]] == [
        ("4500", "1"),
        ("490", "1"),
    ]
    assert order.total == Decimal("49.90")

    # Back from Stripe before the webhook: "payment processing".
    success_path = call.params["success_url"].removeprefix("http://testserver")
    waiting = client.get(success_path)
    assert waiting.status_code == 200
    assert "Payment processing" in waiting.content.decode()

    assert post_event(completed_event(stripe_server, payment)).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    back = client.get(success_path)
    assert back.status_code == 302
    assert back["Location"] == order.get_absolute_url()
    assert "Paid" in client.get(back["Location"]).content.decode()


def test_stripe_down_at_checkout_shows_a_retry_message_on_the_order_page(client, variant, stripe_server):
    stripe_server.fail_with = 500

    response = place_order(client, variant)

    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "The payment service is not answering. Your order is saved; please try again." in page
    assert "Pay now" in page
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT

    stripe_server.fail_with = None
    retry = client.post(f"/orders/{order.number}/pay/", {"key": order.access_key})
    assert retry.status_code == 303
    assert retry["Location"].startswith(f"{stripe_server.url}/pay/")

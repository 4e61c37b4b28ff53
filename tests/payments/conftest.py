"""Payments fixtures: orders as checkout leaves them, the fake Stripe server, signed webhooks."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.test import RequestFactory

from shop.orders.models import Order
from shop.payments import services
from shop.payments.models import Payment
from tests.orders import factories

from .fake_stripe import FakeStripeServer

WEBHOOK_SECRET = "whsec_test_payments_secret"


@pytest.fixture
def make_order(db):
    """An order as checkout leaves it: lines snapshotted, stock taken, pending payment."""

    def make(lines=(("19.90", 2), ("35.00", 1)), *, shipping="4.90", stock=10, email="guest@example.com"):
        rows = []
        for price, quantity in lines:
            product = factories.make_product(price=price)
            rows.append((factories.make_variant(product, size="M", colour="Black", stock=stock), quantity))
        return factories.make_order(rows, email=email, shipping=shipping)

    return make


@pytest.fixture
def order(make_order):
    """19.90 x 2 + 35.00 + 4.90 shipping = 79.70."""
    return make_order()


@pytest.fixture
def stripe_server(settings):
    """The shop pointed at a fake Stripe on 127.0.0.1, with a short client timeout."""
    with FakeStripeServer() as fake:
        settings.PAYMENT_PROVIDER = "stripe"
        settings.STRIPE_SECRET_KEY = "sk_test_fake"
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_TIMEOUT_SECONDS = 0.5
        settings.STRIPE_MAX_NETWORK_RETRIES = 1
        yield fake


def begin(order: Order):
    """Start a payment the way checkout does; returns (response, the new Payment)."""
    request = RequestFactory().post("/checkout/")
    response = services.begin_payment(request, order)
    return response, Payment.objects.filter(order=order).latest("pk")


@pytest.fixture
def stripe_payment(stripe_server, order):
    """A Stripe checkout started for `order`; returns the Payment."""
    _, payment = begin(order)
    return payment


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme, computed here: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def stripe_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def post_signed(
    client,
    event: dict,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
):
    """POST the event to the webhook as Stripe would, signed with `secret`."""
    body = json.dumps(event)
    header = sign(body, secret, timestamp) if signature is None else signature
    return client.post(
        "/payments/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


@pytest.fixture
def post_event(client):
    def post(event: dict, **kwargs):
        return post_signed(client, event, **kwargs)

    return post


def completed_event(fake, payment: Payment, **overrides) -> dict:
    """checkout.session.completed for the payment's session, as the fake says Stripe would send it."""
    session = fake.complete(payment.provider_reference)
    session.update(overrides)
    return stripe_event("checkout.session.completed", session)


def charge_refunded_event(payment_intent: str, *, amount: int, refunds: list[dict], currency="eur") -> dict:
    charge = {
        "id": f"ch_{payment_intent[3:]}",
        "object": "charge",
        "payment_intent": payment_intent,
        "amount": amount,
        "amount_refunded": sum(r["amount"] for r in refunds),
        "currency": currency,
        "refunded": sum(r["amount"] for r in refunds) == amount,
        "refunds": {"object": "list", "data": refunds},
    }
    return stripe_event("charge.refunded", charge)

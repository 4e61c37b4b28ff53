"""Payments fixtures: orders as checkout leaves them, the fake Stripe server, signed webhooks."""

import pytest

from tests.factories import make_order, make_product, make_variant, start_payment
from tests.payments.fake_stripe import WEBHOOK_SECRET, FakeStripeServer, post_signed

PRICED_LINES = (("19.90", 2), ("35.00", 1))


@pytest.fixture
def order(db):
    """As checkout leaves it, pending payment: 19.90 x 2 + 35.00 + 4.90 shipping = 79.70."""
    lines = [
        (make_variant(make_product(price=price, sizes=())), quantity) for price, quantity in PRICED_LINES
    ]
    return make_order(lines, shipping="4.90")


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


@pytest.fixture
def stripe_payment(stripe_server, order):
    """A Stripe checkout started for `order`; returns the Payment."""
    _, payment = start_payment(order)
    return payment


@pytest.fixture
def post_event(client):
    def post(event: dict, **kwargs):
        return post_signed(client, event, **kwargs)

    return post

"""The shopper's journey in a real browser with PAYMENT_PROVIDER=stripe, against the fake Stripe."""

import re

import pytest
from playwright.sync_api import expect

from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order
from tests.factories import fill_checkout
from tests.payments.fake_stripe import WEBHOOK_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hoodie(site_root):
    category, _ = Category.objects.get_or_create(slug="hoodies", defaults={"name": "Hoodies"})
    product = Product.objects.create(
        name="Cloud Hoodie", slug="cloud-hoodie", category=category, base_price="45.00"
    )
    ProductVariant.objects.create(product=product, size="L", colour="Grey", sku="HOOD-L-GRY", stock=3)
    return product


@pytest.fixture
def csp_admits_fake_stripe(settings, stripe_server):
    """The CSP's form-action names Stripe's hosted checkout; here the fake Stripe stands in for it,
    so the checkout POST's redirect to it must be admitted the same way."""
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], stripe_server.url]}
    }


def test_guest_pays_through_stripe_checkout(page, live_server, hoodie, stripe_server, csp_admits_fake_stripe):
    stripe_server.webhook_url = f"{live_server.url}/payments/stripe/webhook/"
    stripe_server.webhook_secret = WEBHOOK_SECRET

    page.goto(live_server.url + hoodie.get_absolute_url())
    page.get_by_label("Size").select_option("L")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()

    expect(page).to_have_url(re.compile(re.escape(stripe_server.url) + r"/pay/cs_test_"))
    expect(page.get_by_role("heading", name="Pay 49.90 EUR")).to_be_visible()
    order = Order.objects.get()
    [call] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert call.params["client_reference_id"] == order.number

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

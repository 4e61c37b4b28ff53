"""The shopper's journey in a real browser: product page, cart, checkout, test payment, paid order,
and the invoice PDF whose numbers match the order."""

import re

import pytest
from playwright.sync_api import expect

from shop.orders.models import Order
from tests.factories import fill_checkout, make_product, make_variant, pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tee(site_root):
    product = make_product("Harbour Tee", price="25.00", sizes=())
    make_variant(product, size="M", colour="Navy", stock=4)
    large = make_variant(product, size="L", colour="Navy", stock=4)
    make_variant(product, size="M", colour="Sand", stock=4)
    return product, large


GRACE = {
    "Email": "grace@example.com",
    "Full name": "Grace Hopper",
    "Address": "1 Navy Yard",
    "City": "London",
    "Postal code": "SW1A 1AA",
}


def test_guest_buys_two_tees_and_pays(page, live_server, tee, settings):
    settings.PAYMENT_PROVIDER = "test"
    product, large = tee
    page.goto(live_server.url + product.get_absolute_url())
    page.get_by_label("Colour").select_option("Navy")
    page.get_by_label("Size").select_option("L")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    cart_link = page.get_by_role("link", name=re.compile(r"^Cart"))
    expect(cart_link).to_contain_text("2")
    cart_link.click()
    expect(page.get_by_label("Quantity")).to_have_value("2")
    expect(page.get_by_text("€54.90")).to_be_visible()  # 2 x 25 + 4.90 shipping
    page.get_by_role("link", name="Checkout").click()

    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert str(order.total) == "54.90"
    large.refresh_from_db()
    assert large.stock == 2

    expect(page).to_have_url(re.compile(r"/payments/test/"))
    page.get_by_role("button", name="Pay", exact=True).click()

    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")
    expect(page.get_by_role("link", name=re.compile(r"^Cart"))).to_contain_text("0")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    # The invoice: numbered at payment, a PDF whose amounts are the order's.
    invoice_link = page.get_by_role("link", name="Invoice", exact=True)
    expect(invoice_link).to_be_visible()
    pdf = page.context.request.get(live_server.url + invoice_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    order.refresh_from_db()
    for expected in (
        f"Invoice {order.invoice.number}",
        order.number,
        "Ada Lovelace",
        "Harbour Tee",
        "€54.90",  # total
        "€7.98",  # VAT in the line: 50.00 at 19 % (GB has no rates: the home country's apply)
        "€8.76",  # VAT in all: 7.98 + 0.78 in the shipping
        "€46.14",  # net
    ):
        assert expected in text, expected


def test_a_failed_payment_is_retried_with_pay_now(page, live_server, tee, settings):
    """The order page carries its secret key in the URL; its referrer policy must still let the
    browser send a same-origin Origin with the Pay now POST, or CSRF refuses it."""
    settings.PAYMENT_PROVIDER = "test"
    product, _ = tee
    page.goto(live_server.url + product.get_absolute_url())
    page.get_by_label("Colour").select_option("Navy")
    page.get_by_label("Size").select_option("L")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name=re.compile(r"^Cart"))).to_contain_text("1")
    page.goto(live_server.url + "/checkout/")
    fill_checkout(page, GRACE)
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/payments/test/"))
    page.get_by_role("button", name="Fail", exact=True).click()

    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.locator("[data-order-status]")).to_have_text("Pending payment")
    page.get_by_role("button", name="Pay now").click()
    expect(page).to_have_url(re.compile(r"/payments/test/"))
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")

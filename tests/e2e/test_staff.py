"""Shop staff in a real browser: Wagtail admin, the order screen, a partial refund, shipping."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from shop.orders.models import Order
from shop.payments.models import Payment, Refund
from shop.payments.services import settle_test_payment
from tests.factories import make_order, make_product, make_variant, start_payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_order(site_root, settings):
    settings.PAYMENT_PROVIDER = "test"
    product = make_product("Dockside Hoodie", price="60.00", sizes=())
    variant = make_variant(product, size="L", colour="Grey", stock=2)
    order = make_order([(variant, 1)], email="buyer@example.com")
    start_payment(order)
    settle_test_payment(Payment.objects.get(order=order), succeed=True)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    mail.outbox.clear()
    return order, variant


def test_staff_refunds_part_and_ships_an_order(page, live_server, staff_user, password, paid_order):
    order, variant = paid_order
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email").fill(staff_user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    # The dashboard shows today's orders and the low-stock variant (2 left, threshold 5).
    expect(page.get_by_text(variant.sku).first).to_be_visible()

    page.goto(live_server.url + "/admin/shop/orders/")
    page.get_by_role("link", name=order.number).click()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")

    page.get_by_label(re.compile(r"^Amount")).fill("15.00")
    page.get_by_label("Reason").fill("Late delivery goodwill")
    page.get_by_role("button", name="Refund").click()
    expect(page.get_by_role("cell", name="Late delivery goodwill")).to_be_visible()
    refund = Refund.objects.get()
    assert refund.amount == Decimal("15.00") and refund.requested_by == staff_user

    page.get_by_label("Tracking number").fill("TRACK-123")
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.locator("[data-order-status]")).to_have_text("Shipped")

    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.tracking_number == "TRACK-123"
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]
    assert "TRACK-123" in mail.outbox[0].body

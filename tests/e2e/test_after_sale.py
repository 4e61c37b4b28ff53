"""After the sale in a real browser: a guest asks to return one item and exchange another's size,
staff approve and receive the parcel in Wagtail, the refund and the exchange order follow."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from shop.orders.models import Order
from shop.payments.models import Refund
from shop.returns.models import ReturnRequest
from tests.factories import committed, delivered_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_guest_returns_and_exchanges_and_staff_take_the_parcel_in(
    page, live_server, site_root, staff_user, password, settings
):
    settings.PAYMENT_PROVIDER = "test"
    order, _, variants = delivered_order(committed, stock=5)
    mail.outbox.clear()

    # The shopper, through the emailed guest link.
    page.goto(live_server.url + order.get_absolute_url())
    page.get_by_role("button", name="Request a return").click()
    page.get_by_label("Quantity to return: Harbour Tee (M / Navy)").fill("1")
    page.get_by_label("Reason: Harbour Tee (M / Navy)").select_option("Too small")
    page.get_by_label("Size wanted instead: Harbour Tee (M / Navy)").select_option("L")
    page.get_by_label("Quantity to return: Slim Jeans (32)").fill("1")
    page.get_by_label("Reason: Slim Jeans (32)").select_option("Faulty or damaged")
    page.get_by_role("button", name="Send return request").click()
    expect(page.get_by_text("Return requested.")).to_be_visible()
    ret = ReturnRequest.objects.get()
    expect(page.locator(f"[data-return='{ret.pk}']")).to_contain_text("Requested")

    # Staff, in Wagtail's admin.
    staff = page.context.browser.new_page()
    staff.goto(live_server.url + "/admin/login/")
    staff.get_by_label("Email").fill(staff_user.email)
    staff.get_by_label("Password").fill(password)
    staff.get_by_role("button", name="Sign in").click()
    staff.goto(live_server.url + "/admin/shop/returns/")
    staff.get_by_role("link", name=f"Return {ret.pk}", exact=True).click()
    expect(staff.locator("[data-return-status]")).to_have_text("Requested")
    staff.get_by_role("button", name="Approve return").click()
    expect(staff.locator("[data-return-status]")).to_have_text("Approved")
    staff.get_by_role("button", name="Mark items received").click()
    expect(staff.locator("[data-return-status]")).to_have_text("Completed")
    ret.refresh_from_db()
    exchange = ret.exchange_order
    assert exchange is not None and exchange.exchange_for == order and exchange.total == 0
    assert Refund.objects.get().amount == Decimal("35.00")

    # The exchange order ships like any order.
    staff.get_by_role("link", name=exchange.number).first.click()
    expect(staff.locator("[data-order-status]")).to_have_text("Paid")
    staff.get_by_label("Tracking number").fill("SWAP-1")
    staff.get_by_role("button", name="Mark shipped").click()
    expect(staff.locator("[data-order-status]")).to_have_text("Shipped")
    staff.close()

    # Back to the shopper: the return is done, the refund has its credit note.
    page.reload()
    expect(page.locator(f"[data-return='{ret.pk}']")).to_contain_text("Completed")
    expect(page.locator(f"[data-return='{ret.pk}']")).to_contain_text(exchange.number)
    expect(page.get_by_role("link", name=re.compile(r"^Credit note CN-"))).to_be_visible()
    subjects = [m.subject for m in mail.outbox]
    assert any("return request" in s for s in subjects)
    assert any("is approved" in s for s in subjects)
    assert any("arrived" in s for s in subjects)
    assert any(exchange.number in s and "on its way" in s for s in subjects)
    variants["L"].refresh_from_db()
    assert variants["L"].stock == 4
    assert Order.objects.filter(exchange_for=order).count() == 1

"""Merchandising journeys in a real browser: a shopper filters by size, applies a code and checks
out; a marketer creates a code and a landing page that promotes it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from home.models import CategoryPage, ShopIndexPage
from shop.discounts.models import DiscountCode
from shop.orders.models import Order
from tests.factories import add_child, fill_checkout, make_category, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hoodie_shop(site_root):
    hoodies = make_category("Hoodies")
    shop = add_child(site_root, ShopIndexPage(title="Shop", slug="shop"))
    add_child(shop, CategoryPage(title="Hoodies", slug="hoodies", category=hoodies))
    make_product("Harbour Hoodie", category=hoodies, price="50.00", sizes=("M", "L"))
    make_product("Tiny Hoodie", category=hoodies, price="40.00", sizes=("XS",))
    return hoodies


def test_shopper_filters_by_size_applies_a_code_and_checks_out(page, live_server, hoodie_shop, settings):
    settings.PAYMENT_PROVIDER = "test"
    DiscountCode.objects.create(code="SPRING20", value=Decimal("20"))
    page.goto(live_server.url + "/shop/hoodies/")
    expect(page.get_by_role("link", name="Tiny Hoodie")).to_be_visible()
    sizes = page.get_by_role("group", name="Size")
    sizes.get_by_label("M").check()
    page.get_by_role("button", name="Apply filters").click()  # also submitted by the script; either way
    expect(page).to_have_url(re.compile(r"size=M"))
    expect(page.get_by_role("link", name="Tiny Hoodie")).to_have_count(0)
    page.get_by_role("link", name="Harbour Hoodie").click()

    page.get_by_label("Size").select_option("M")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_label("Discount code").fill("spring20")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Code SPRING20 applied: €10.00 off.")).to_be_visible()
    expect(page.locator("[data-cart-total]")).to_have_text("€44.90")  # 50 - 10 + 4.90 shipping
    page.get_by_role("link", name="Checkout").click()

    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/payments/test/"))
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")
    expect(page.locator("[data-order-discount]")).to_have_text("\u2212€10.00")
    order = Order.objects.get()
    assert (order.discount, order.discount_code, order.total) == (
        Decimal("10.00"),
        "SPRING20",
        Decimal("44.90"),
    )


def _sign_in(page, live_server, user, password):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_marketer_creates_a_code_and_a_landing_page_promoting_it(
    page, live_server, site_root, marketer, password
):
    _sign_in(page, live_server, marketer, password)
    page.goto(live_server.url + "/admin/shop/discount-codes/add/")
    page.locator("#id_code").fill("autumn10")
    page.locator("#id_description").fill("10% off everything")
    page.locator("#id_value").fill("10")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_text(re.compile("created", re.I)).first).to_be_visible()
    code = DiscountCode.objects.get()
    assert code.code == "AUTUMN10"

    page.goto(f"{live_server.url}/admin/pages/add/home/landingpage/{site_root.pk}/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Autumn offer")
    page.get_by_role("button", name=re.compile("Insert a block", re.I)).first.click()
    page.get_by_role("option", name=re.compile("Discount code promotion")).click()
    page.get_by_role("textbox", name=re.compile("^Heading")).fill("Ten percent off")
    page.get_by_role("button", name=re.compile("Choose discount code", re.I)).click()
    page.get_by_role("link", name="AUTUMN10").click()
    expect(page.get_by_text("AUTUMN10").first).to_be_visible()
    page.get_by_role("tab", name=re.compile("^Promote")).click()
    slug = page.get_by_role("textbox", name=re.compile("^Slug"))
    expect(slug).to_have_value("autumn-offer")
    page.get_by_role("button", name=re.compile("More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("^Publish")).click()
    expect(
        page.get_by_text(re.compile("has been published|created and published", re.I)).first
    ).to_be_visible()

    page.goto(live_server.url + "/autumn-offer/")
    expect(page.get_by_role("heading", name="Ten percent off")).to_be_visible()
    expect(page.locator("[data-promo-code]")).to_have_text("AUTUMN10")

"""axe-core (the npm package, injected by Playwright) finds no violation of any impact level on the
storefront's main pages: home, category with filters, product, cart with a code, checkout, order."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from home.models import CategoryPage, ShopIndexPage
from shop.discounts.models import DiscountCode
from shop.orders.models import Order
from tests.factories import add_child, fill_checkout, make_category, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def browser_context_args(browser_context_args):
    # The shop's CSP forbids inline scripts; axe is injected by the test, not by the page.
    return {**browser_context_args, "bypass_csp": True}


def assert_no_violations(page, where: str) -> None:
    assert AXE.exists(), "axe-core is missing: run `make test` (it runs `npm ci`)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert found == [], f"{where}: {json.dumps(found, indent=1)}"


@pytest.fixture
def shop(site_root):
    hoodies = make_category("Hoodies")
    index = add_child(site_root, ShopIndexPage(title="Shop", slug="shop"))
    add_child(index, CategoryPage(title="Hoodies", slug="hoodies", category=hoodies))
    product = make_product("Harbour Hoodie", category=hoodies, price="50.00", sizes=("M", "L"), images=1)
    product.variants.filter(size="L").update(stock=0)
    make_product("Tiny Hoodie", category=hoodies, price="40.00", sizes=("XS",), images=1)
    DiscountCode.objects.create(code="SPRING20", value=Decimal("20"))
    return product


def test_storefront_pages_have_no_axe_violations(page, live_server, shop, settings):
    settings.PAYMENT_PROVIDER = "test"
    page.goto(live_server.url + "/")
    assert_no_violations(page, "home")

    page.goto(live_server.url + "/shop/hoodies/?size=M&in_stock=1")
    expect(page.get_by_role("link", name="Harbour Hoodie")).to_be_visible()
    assert_no_violations(page, "category with filters")

    page.goto(live_server.url + shop.get_absolute_url())
    assert_no_violations(page, "product")
    page.get_by_label("Size").select_option("M")
    page.get_by_role("button", name="Add to cart").click()

    page.goto(live_server.url + "/cart/")
    page.get_by_label("Discount code").fill("SPRING20")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Code SPRING20 applied")).to_be_visible()
    assert_no_violations(page, "cart with a code")

    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("button", name="Place order")).to_be_visible()
    assert_no_violations(page, "checkout")
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/payments/test/"))
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.locator("[data-order-status]")).to_have_text("Paid")
    assert Order.objects.get().discount == Decimal("10.00")
    assert_no_violations(page, "order")


def test_the_check_itself_catches_a_violation(page):
    """Guards the guard: a page with an unlabelled image and an unnamed button fails the check."""
    page.set_content('<html lang="en"><title>x</title><main><img src="x.png"><button></button></main></html>')
    with pytest.raises(AssertionError, match=r"image-alt[\s\S]*button-name|button-name[\s\S]*image-alt"):
        assert_no_violations(page, "broken")

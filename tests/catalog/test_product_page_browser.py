"""The product page in a real browser: accessible names, and sizes re-marked when the colour changes."""

import re

import pytest
from playwright.sync_api import expect

from shop.catalog.models import ProductVariant
from tests.factories import make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_choosing_a_colour_marks_its_sold_out_sizes(page, live_server, site_root):
    product = make_product("Harbour tee", sizes=("S", "M", "L"), colours=("Navy", "Sand"), images=1)
    ProductVariant.objects.filter(product=product, colour="Sand", size="M").update(stock=0)
    ProductVariant.objects.filter(product=product, colour="Sand", size="L").delete()

    page.goto(live_server.url + product.get_absolute_url())
    colour = page.get_by_label("Colour")
    size = page.get_by_label("Size")
    expect(colour).to_have_value("Navy")
    expect(size.locator('option[value="M"]')).to_be_enabled()

    colour.select_option("Sand")
    expect(size.locator('option[value="M"]')).to_be_disabled()
    expect(size.locator('option[value="M"]')).to_have_text("M (sold out)")
    expect(size.locator('option[value="L"]')).to_have_text("L (not in this colour)")
    expect(size.locator('option[value="S"]')).to_be_enabled()
    expect(page).to_have_url(re.compile(r"\?colour=Sand$"))

    quantity = page.get_by_label("Quantity")
    expect(quantity).to_have_attribute("type", "number")
    expect(quantity).to_have_attribute("min", "1")
    expect(quantity).to_have_attribute("max", "20")
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()
    expect(
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="T-shirts")
    ).to_have_attribute("href", "/shop/t-shirts/")
    expect(page.get_by_role("img", name="Harbour tee, photo 1")).to_be_visible()

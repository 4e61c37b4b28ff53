"""A first-time visitor on a cached product page adds to the cart, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cached_product_url(live_server, site_root, product, playwright):
    """The product page as the cache holds it: fetched until a first-time visitor gets a hit."""
    url = live_server.url + product.get_absolute_url()
    fetcher = playwright.request.new_context()
    states = [fetcher.get(url).headers["x-page-cache"] for _ in range(3)]
    fetcher.dispose()
    assert "hit" in states, states
    return url


def _add_two(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Size").select_option("M")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()


def test_with_javascript_the_token_is_fetched_on_submit(page, cached_product_url):
    _add_two(page, cached_product_url)
    expect(page.get_by_role("status")).to_contain_text("Added 2 x")
    expect(page.get_by_role("link", name=re.compile(r"^Cart"))).to_contain_text("2")


def test_without_javascript_the_visitor_confirms_once(browser, cached_product_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _add_two(page, cached_product_url)
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_contain_text("Added 2 x")
    expect(page.get_by_role("link", name=re.compile(r"^Cart"))).to_contain_text("2")
    context.close()

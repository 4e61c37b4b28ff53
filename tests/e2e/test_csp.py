"""The Content-Security-Policy holds in a real browser: the shopper's whole journey and the
marketer's page editor, preview and image chooser run with no CSP violation reported."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import fill_checkout, make_product, make_wagtail_image

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """Every CSP violation the page reports, from the console and from the DOM event."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_storefront_checkout_and_test_payment_under_csp(page, live_server, site_root, violations, settings):
    settings.PAYMENT_PROVIDER = "test"
    product = make_product("Harbour Tee", sizes=("M",), images=1)
    response = page.goto(live_server.url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.goto(live_server.url + "/search/?q=harbour")
    page.goto(live_server.url + product.get_absolute_url())
    page.get_by_label("Size").select_option("M")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_text("Paid").first).to_be_visible()
    assert violations == []


def test_wagtail_editor_preview_and_image_chooser_under_csp(
    page, live_server, site_root, superuser, password, violations
):
    make_wagtail_image("Harbour photo")
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(superuser.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/pages/{site_root.pk}/edit/")
    page.get_by_role("tab", name=re.compile("^Promote")).click()
    page.get_by_role("button", name=re.compile("Choose an image", re.I)).click()
    page.get_by_role("link", name=re.compile("Harbour photo")).click()
    expect(page.get_by_text("Harbour photo").first).to_be_visible()

    page.get_by_role("button", name=re.compile("Toggle preview", re.I)).click()
    preview = page.frame_locator("iframe[title*='Preview' i]").first
    expect(preview.locator("body")).to_be_visible()
    assert violations == []


def test_wagtail_admin_needs_its_inline_allowance(
    page, live_server, site_root, superuser, violations, settings
):
    """Why the admin's policy allows inline script and style: without it the editor reports
    violations (and this shows the detector above reports them)."""
    settings.SHOP_ADMIN_CSP_UPDATE = {}
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(superuser.email)
    page.locator("#id_password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.goto(f"{live_server.url}/admin/pages/{site_root.pk}/edit/")
    expect(page.get_by_role("tab", name=re.compile("^Promote"))).to_be_visible()
    assert any("style-src" in text or "script-src" in text for text in violations)

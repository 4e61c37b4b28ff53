import re

import pytest

from home.models import SiteSettings
from shop.catalog.services import soft_delete_product
from tests.factories import landing, make_product

pytestmark = pytest.mark.django_db


def test_sitemap_lists_live_pages_and_visible_products_with_lastmod(
    client, home, tshirt_page, product, tshirts
):
    hidden = make_product("Gone tee", category=tshirts)
    soft_delete_product(hidden)
    inactive = make_product("Draft tee", category=tshirts, is_active=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "http://testserver/shop/t-shirts/</loc>" in xml
    assert "http://testserver/</loc>" in xml
    assert f"http://testserver/products/{product.slug}/</loc>" in xml
    assert product.updated_at.date().isoformat() in xml
    assert hidden.slug not in xml
    assert inactive.slug not in xml
    assert xml.count("<lastmod>") >= 3


def test_sitemap_leaves_out_draft_pages(client, home):
    draft = landing(home, "Secret sale")
    draft.unpublish()
    assert "secret-sale" not in client.get("/sitemap.xml").content.decode()


def test_robots_txt_keeps_private_paths_out_and_points_at_the_sitemap(client, home):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for path in ["/admin/", "/cart/", "/checkout/", "/accounts/", "/orders/", "/payments/"]:
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /\n" not in text


def test_robots_txt_follows_the_site_setting(client, home):
    rules = SiteSettings.for_site(home.get_site())
    rules.hide_from_search_engines = True
    rules.robots_txt_extra = "User-agent: BadBot\nDisallow: /"
    rules.save()
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /\n" in text
    assert "User-agent: BadBot" in text


def test_pages_carry_canonical_open_graph_and_twitter_meta(client, home):
    page = landing(home, "Summer hoodies sale")
    page.search_description = "Hoodies for cool summer evenings."
    page.save_revision().publish()
    body = client.get(page.url).content.decode()
    assert '<link rel="canonical" href="http://testserver/summer-hoodies-sale/">' in body
    assert '<meta property="og:title" content="Summer hoodies sale">' in body
    assert '<meta name="description" content="Hoodies for cool summer evenings.">' in body
    assert 'name="twitter:card"' in body


def test_category_breadcrumbs_with_json_ld(client, tshirt_page):
    body = client.get("/shop/t-shirts/").content.decode()
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    assert '"BreadcrumbList"' in jsonld
    assert '"name": "Shop"' in jsonld and '"name": "T-shirts"' in jsonld
    assert 'aria-label="Breadcrumb"' in body


def test_404_is_in_the_shop_look(client, home):
    response = client.get("/shop/no-such-category/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()
    assert "bootstrap.min.css" in response.content.decode()


def test_500_template_needs_no_context(settings):
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Something went wrong" in html


def test_500_page_renders_for_a_real_error(client, home, settings, monkeypatch):
    """Django renders 500.html with no context processors; the page must still look like the shop."""
    from django.test import Client

    import home.views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(home.views.site_search, "search", lambda *a, **k: broken(None))
    response = Client(raise_request_exception=False).get("/search/?q=x")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and "bootstrap.min.css" in body


def test_pages_of_inactive_categories_leave_the_sitemap_and_search(client, tshirt_page, tshirts):
    assert "/shop/t-shirts/" in client.get("/sitemap.xml").content.decode()
    assert "/shop/t-shirts/" in client.get("/search/?q=t-shirts").content.decode()
    tshirts.is_active = False
    tshirts.save()
    assert "/shop/t-shirts/" not in client.get("/sitemap.xml").content.decode()
    assert "/shop/t-shirts/" not in client.get("/search/?q=t-shirts").content.decode()

import json
import re

import pytest
from django.test import override_settings

from shop.catalog.models import Product, ProductVariant
from shop.catalog.services import soft_delete_product
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_product_page_shows_controls_with_their_accessible_names(client):
    product = make_product("Plain tee", colours=("Black", "White"), images=2)
    response = client.get(f"/products/{product.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label fw-semibold" for="id_size">Size</label>' in html
    assert '<label class="form-label fw-semibold" for="id_colour">Colour</label>' in html
    assert '<label class="form-label fw-semibold" for="id_quantity">Quantity</label>' in html
    assert re.search(r'<select[^>]*id="id_size"[^>]*name="size"', html)
    assert re.search(r'<select[^>]*id="id_colour"[^>]*name="colour"', html)
    assert re.search(r'<input[^>]*type="number"[^>]*id="id_quantity"[^>]*min="1" max="20"', html)
    assert re.search(r'<button type="submit"[^>]*>Add to cart</button>', html)
    assert 'action="/cart/add/"' in html
    assert f'name="product" value="{product.pk}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next"' in html


def test_sizes_only_product_has_no_colour_control(client):
    product = make_product("Cap", sizes=("S", "M"))
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'id="id_colour"' not in html
    assert 'for="id_size">Size</label>' in html


def test_sold_out_sizes_are_shown_but_disabled(client):
    product = make_product("Tee", sizes=("S", "M", "L"))
    ProductVariant.objects.filter(product=product, size="M").update(stock=0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert re.search(r'<option value="M" disabled>M \(sold out\)</option>', html)
    assert re.search(r'<option value="S">S</option>', html)


def test_sizes_are_marked_for_the_chosen_colour(client):
    product = make_product("Tee", sizes=("S", "M"), colours=("Black", "White"))
    ProductVariant.objects.filter(product=product, size="M", colour="White").update(stock=0)
    black = client.get(product.get_absolute_url() + "?colour=Black").content.decode()
    white = client.get(product.get_absolute_url() + "?colour=White").content.decode()
    assert '<option value="M">M</option>' in black
    assert '<option value="M" disabled>M (sold out)</option>' in white
    assert '<option value="White" selected>' in white
    ProductVariant.objects.filter(product=product, size="S", colour="White").delete()
    white = client.get(product.get_absolute_url() + "?colour=White").content.decode()
    assert '<option value="S" disabled>S (not in this colour)</option>' in white


def test_breadcrumbs_lead_to_the_category_page(client):
    parent = make_category("Men", slug="men")
    category = make_category("Hoodies", slug="hoodies", parent=parent)
    product = make_product("Zip hoodie", category=category)
    html = client.get(product.get_absolute_url()).content.decode()
    assert '<nav aria-label="Breadcrumb">' in html
    assert '<a href="/shop/men/">Men</a>' in html
    assert '<a href="/shop/hoodies/">Hoodies</a>' in html
    assert 'aria-current="page">Zip hoodie</li>' in html


@override_settings(SHOP_CURRENCY="EUR")
def test_json_ld_has_offer_with_price_currency_and_availability(client):
    product = make_product("Tee", price="19.90", compare_at_price="29.90", images=1)
    html = client.get(product.get_absolute_url()).content.decode()
    data = json_ld(html)
    assert data["@type"] == "Product"
    assert data["name"] == "Tee"
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["price"] == "19.90"
    assert data["offers"]["priceCurrency"] == "EUR"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["image"][0].startswith("http://testserver/media/images/")
    assert '<link rel="canonical" href="http://testserver/products/tee/">' in html
    # New at this price: no earlier price to compare with, so no sale may be announced (test_pricing.py).
    assert '<s class="price-compare' not in html
    assert "priceSpecification" not in data["offers"]


def test_json_ld_says_out_of_stock_and_button_is_disabled_when_sold_out(client):
    product = make_product("Tee", stock=0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert json_ld(html)["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert re.search(r"<button[^>]*disabled>Add to cart</button>", html)


def test_json_ld_cannot_break_out_of_its_script(client):
    product = make_product("Tee </script><script>alert(1)</script>")
    html = client.get(product.get_absolute_url()).content.decode()
    assert json_ld(html)["name"] == "Tee </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_meta_description_falls_back_to_the_description(client):
    product = make_product("Tee", description="<p>Soft <b>organic</b> cotton.</p>")
    html = client.get(product.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Soft organic cotton.">' in html


@pytest.mark.parametrize("path", ["/products/nope/", "/products/%E2%9C%93/", "/products/a-b-c/?colour=<x>"])
def test_unknown_slug_is_404(client, path):
    assert client.get(path).status_code == 404


def test_deleted_inactive_or_hidden_category_product_is_404(client):
    deleted, inactive, hidden = make_product("A"), make_product("B", is_active=False), make_product("C")
    soft_delete_product(deleted)
    hidden.category.is_active = False
    hidden.category.save()
    for product in (deleted, inactive, hidden):
        assert client.get(f"/products/{product.slug}/").status_code == 404


def test_unknown_colour_in_query_falls_back_to_a_real_one(client):
    product = make_product("Tee", colours=("Black",))
    response = client.get(product.get_absolute_url() + "?colour=%3Cscript%3E")
    assert response.status_code == 200
    assert '<option value="Black" selected>' in response.content.decode()


def test_old_slug_redirects_permanently(client):
    product = make_product("Old name")
    product.slug = "new-name"
    product.save()
    response = client.get("/products/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/products/new-name/"
    assert Product.objects.get(pk=product.pk).slug == "new-name"


def test_a_missing_photo_file_shows_a_placeholder_not_an_error(client):
    from django.template.loader import render_to_string

    from shop.catalog.services import storefront_products

    product = make_product("Tee", images=1)
    image = product.images.first().image
    image.file.storage.delete(image.file.name)
    assert client.get(product.get_absolute_url()).status_code == 200
    html = render_to_string("catalog/includes/product_card.html", {"product": storefront_products().get()})
    assert "product-card-placeholder" in html

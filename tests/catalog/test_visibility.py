"""`Product.is_visible` decides where the shop links to a product."""

import pytest

from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def test_the_cart_does_not_link_to_a_product_whose_category_was_hidden(client):
    category = make_category("Tees", slug="tees")
    product = make_product("Plain tee", category=category, sizes=("M",))
    response = client.post("/cart/add/", {"product": product.pk, "size": "M", "colour": "", "quantity": "1"})
    assert response.status_code in (200, 302)
    assert f'href="{product.get_absolute_url()}"' in client.get("/cart/").content.decode()

    category.is_active = False
    category.save()
    body = client.get("/cart/").content.decode()
    assert client.get(product.get_absolute_url()).status_code == 404
    assert "Plain tee" in body
    assert f'href="{product.get_absolute_url()}"' not in body

"""Size guides: chosen per category, overridden per product, a dialog with a plain-link fallback."""

import pytest

from shop.catalog.models import SizeGuide
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def guide(name: str, *rows: list[str], note: str = "") -> SizeGuide:
    data = [["Size", "Chest (cm)"], *rows]
    return SizeGuide.objects.create(
        name=name, note=note, table=[("measurements", {"data": data, "first_row_is_table_header": True})]
    )


def test_the_category_guide_shows_on_its_products_and_a_product_may_override_it(client):
    tops = guide("Tops", ["S", "92"], ["M", "100"], note="Measure under the arms.")
    slim = guide("Slim tops", ["S", "88"])
    parent = make_category("Tops", size_guide=tops)
    child = make_category("Polos", parent=parent)
    polo = make_product("Polo", category=child)
    tee = make_product("Slim tee", category=parent, size_guide=slim)

    html = client.get(polo.get_absolute_url()).content.decode()
    assert (
        'href="/products/polo/size-guide/" data-size-guide-open aria-haspopup="dialog">Size guide</a>' in html
    )
    assert '<dialog class="size-guide-dialog' in html and 'aria-labelledby="size-guide-title"' in html
    assert '<th scope="row">M</th><td>100</td>' in html and "Measure under the arms." in html

    page = client.get("/products/slim-tee/size-guide/").content.decode()
    assert '<th scope="row">S</th><td>88</td>' in page and "<td>100</td>" not in page
    assert tee.size_guide == slim


def test_no_guide_no_link_and_the_guide_page_is_a_404(client):
    product = make_product("Plain tee")
    assert "Size guide" not in client.get(product.get_absolute_url()).content.decode()
    assert client.get("/products/plain-tee/size-guide/").status_code == 404
    assert client.get("/products/no-such-thing/size-guide/").status_code == 404

import re

import pytest

from home.models import CategoryPage
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def names(body: str) -> list[str]:
    return re.findall(r'class="stretched-link[^"]*" href="[^"]+">([^<]+)</a>', body)


@pytest.fixture
def priced(tshirts, tshirt_page):
    from django.utils import timezone

    now = timezone.now()
    make_product("Mid tee", category=tshirts, price="20.00", created_at=now.replace(year=now.year - 1))
    make_product("Cheap tee", category=tshirts, price="10.00", created_at=now.replace(year=now.year - 2))
    make_product("Dear tee", category=tshirts, price="30.00", created_at=now)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Dear tee", "Mid tee", "Cheap tee"]),
        ("price_asc", ["Cheap tee", "Mid tee", "Dear tee"]),
        ("price_desc", ["Dear tee", "Mid tee", "Cheap tee"]),
        ("nonsense", ["Dear tee", "Mid tee", "Cheap tee"]),
        ("", ["Dear tee", "Mid tee", "Cheap tee"]),
    ],
)
def test_sorting(client, priced, sort, expected):
    response = client.get("/shop/t-shirts/", {"sort": sort})
    assert response.status_code == 200
    assert names(response.content.decode()) == expected


def test_sorting_by_price_uses_the_variant_price(client, tshirts, tshirt_page):
    make_product("Base tee", category=tshirts, price="15.00")
    override = make_product("Override tee", category=tshirts, price="40.00")
    override.variants.update(price_override="5.00")
    body = client.get("/shop/t-shirts/?sort=price_asc").content.decode()
    assert names(body) == ["Override tee", "Base tee"]


@pytest.mark.parametrize(
    ("page", "number", "shown"),
    [
        ("1", 1, 24),
        ("2", 2, 6),
        ("999", 2, 6),
        ("9" * 30, 2, 6),
        ("abc", 1, 24),
        ("-1", 2, 6),
        ("0", 2, 6),
        ("", 1, 24),
    ],
)
def test_paging_never_fails(client, tshirts, tshirt_page, page, number, shown):
    for i in range(30):
        make_product(f"Tee {i}", category=tshirts, sizes=("M",))
    response = client.get("/shop/t-shirts/", {"page": page})
    assert response.status_code == 200
    body = response.content.decode()
    assert len(names(body)) == shown
    assert f"Page {number} of 2" in body
    assert "30 products" in body


def test_subcategory_products_show_on_the_parent_category(client, tshirts, tshirt_page):
    child = make_category("Long sleeve", parent=tshirts)
    make_product("Long tee", category=child)
    assert "Long tee" in client.get("/shop/t-shirts/").content.decode()


def test_inactive_category_page_is_404(client, tshirts, tshirt_page):
    tshirts.is_active = False
    tshirts.save()
    assert client.get("/shop/t-shirts/").status_code == 404


def test_one_page_per_category(shop_index, tshirts, tshirt_page):
    from django.core.exceptions import ValidationError

    page = CategoryPage(title="Again", category=tshirts)
    with pytest.raises(ValidationError):
        shop_index.add_child(instance=page)


def test_canonical_keeps_the_page_number_but_not_the_sort(client, tshirts, tshirt_page):
    for i in range(30):
        make_product(f"Tee {i}", category=tshirts, sizes=("M",))
    first = client.get("/shop/t-shirts/", {"sort": "price_asc"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/shop/t-shirts/">' in first
    second = client.get("/shop/t-shirts/", {"sort": "price_desc", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/shop/t-shirts/?page=2">' in second


def test_meta_description_falls_back_to_the_category(client, tshirts, tshirt_page):
    tshirts.meta_description = "Heavy cotton T-shirts."
    tshirts.save()
    body = client.get("/shop/t-shirts/").content.decode()
    assert '<meta name="description" content="Heavy cotton T-shirts.">' in body

"""Content test data: the page tree of a small shop."""

import pytest

from home.models import CategoryPage, HomePage, ShopIndexPage
from tests.factories import add_child, make_category, make_product


@pytest.fixture(autouse=True)
def root_collection(db):
    """Images need Wagtail's root collection, which a transactional test elsewhere may have flushed."""
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def home(site_root) -> HomePage:
    return site_root


@pytest.fixture
def shop_index(home) -> ShopIndexPage:
    existing = ShopIndexPage.objects.first()
    return existing or add_child(home, ShopIndexPage(title="Shop", slug="shop"))


@pytest.fixture
def tshirts(db):
    return make_category("T-shirts", slug="t-shirts")


@pytest.fixture
def hoodies(db):
    return make_category("Hoodies", slug="hoodies")


@pytest.fixture
def tshirt_page(shop_index, tshirts) -> CategoryPage:
    return add_child(shop_index, CategoryPage(title="T-shirts", category=tshirts, slug="x"))


@pytest.fixture
def product(tshirts):
    return make_product("Plain tee", category=tshirts, price="19.00", images=1)

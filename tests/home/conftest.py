"""Content test data: the page tree of a small shop."""

import pytest
from wagtail.models import Page

from home.models import CategoryPage, HomePage, LandingPage, ShopIndexPage
from tests.catalog.factories import make_category, make_product


def add_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


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


def stream(*blocks) -> list[dict]:
    return [{"type": kind, "value": value} for kind, value in blocks]


def grid(product_ids=(), **extra) -> tuple[str, dict]:
    value = {"heading": "Picks", "source": "chosen", "products": list(product_ids), "limit": 8}
    value.update(extra)
    return ("product_grid", value)


def landing(parent: Page, title: str = "Summer sale", body=()) -> LandingPage:
    return add_child(parent, LandingPage(title=title, body=stream(*body)))

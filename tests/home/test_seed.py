from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

from home.demo import seed_content
from home.models import CategoryPage, HomePage, LandingPage, NavigationSettings, ShopIndexPage
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    for name in ["T-shirts", "Hoodies", "Jeans"]:
        category = make_category(name)
        for i in range(3):
            make_product(f"{name} {i}", category=category, images=1 if i == 0 else 0)


def test_seed_builds_the_demo_pages_once(client, site_root, catalog):
    seed_content()
    pages_before = Page.objects.count()
    revisions_before = sum(p.revisions.count() for p in Page.objects.all())
    seed_content()
    assert Page.objects.count() == pages_before
    assert sum(p.revisions.count() for p in Page.objects.all()) == revisions_before

    assert ShopIndexPage.objects.get().url == "/shop/"
    assert sorted(p.url for p in CategoryPage.objects.all()) == [
        "/shop/hoodies/",
        "/shop/jeans/",
        "/shop/t-shirts/",
    ]
    assert LandingPage.objects.get(slug="summer-hoodies-sale").live
    home = HomePage.objects.get()
    assert [b.block_type for b in home.body][:4] == [
        "hero",
        "featured_product",
        "product_grid",
        "category_tiles",
    ]
    assert NavigationSettings.for_site(home.get_site()).links

    body = client.get("/").content.decode()
    assert "Hoodies 0" in body and 'href="/shop/jeans/"' in body
    sale = client.get("/summer-hoodies-sale/").content.decode()
    assert "Hoodies 1" in sale and "Every hoodie" in sale
    assert "T-shirts 0" in client.get("/search/?q=shirts").content.decode()


def test_seed_leaves_pages_a_person_edited(site_root, catalog, marketer):
    seed_content()
    home = HomePage.objects.get()
    home.body = [("rich_text", "<p>Ours now.</p>")]
    home.save_revision(user=marketer).publish()
    seed_content()
    home.refresh_from_db()
    assert [b.block_type for b in home.body] == ["rich_text"]


def test_seed_demo_with_debug_off_builds_the_shop_without_logins(site_root, settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("seed_demo", stdout=StringIO())
    assert ShopIndexPage.objects.exists()
    assert not get_user_model().objects.filter(email__endswith="@example.com").exists()

"""Every change that shows on a page reaches every cached page at once (bound: the next request
after the commit; docs/performance.md). Each test fills the cache first, changes one thing,
and expects the change on each affected page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from home.models import LandingPage
from home.site_settings import AnnouncementSettings
from shop.cart.services import add_item, get_or_create_cart
from shop.catalog import services as catalog
from shop.catalog.models import ProductImage
from shop.orders import services as orders
from tests.factories import add_child, grid, make_product, make_wagtail_image, stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the change left for after its commit (the test itself runs in a transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def shop(home, tshirt_page, product):
    home.body = stream(grid([product.pk], heading="Picks"))
    home.save_revision().publish()
    return product


def fresh(url: str) -> str:
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss", f"{url} still served from before the change"
    return response.content.decode()


@pytest.fixture
def prime(client, cached):
    """Fill the cache with these pages, each seen to come from it."""

    def fill(*urls) -> None:
        for url in urls:
            cached(client, url)

    return fill


def test_publishing_a_page(client, shop, home, commit, prime):
    prime("/")
    home.title = "Fresh title"
    home.seo_title = "Fresh title"
    with commit():
        home.save_revision().publish()
    assert "Fresh title" in fresh("/")


def test_a_draft_changes_nothing_cached(client, shop, home, commit, prime):
    prime("/")
    home.title = "Draft title"
    with commit():
        home.save_revision()
    assert Client().get("/")["X-Page-Cache"] == "hit"


def test_unpublishing_and_deleting_a_page(client, shop, home, commit, prime):
    sale = add_child(home, LandingPage(title="Summer sale", slug="summer-sale"))
    prime("/summer-sale/")
    with commit():
        sale.unpublish()
    assert Client().get("/summer-sale/").status_code == 404
    with commit():
        sale.save_revision().publish()
    prime("/summer-sale/")
    with commit():
        sale.delete()
    assert Client().get("/summer-sale/").status_code == 404


def test_moving_a_page(client, shop, home, shop_index, commit, prime):
    sale = add_child(home, LandingPage(title="Summer sale", slug="summer-sale"))
    prime("/summer-sale/")
    with commit():
        sale.move(shop_index, pos="last-child")
    moved = Client().get("/summer-sale/")
    assert (moved.status_code, moved["Location"]) == (301, "/shop/summer-sale/")  # Wagtail's redirect
    assert "Summer sale" in fresh("/shop/summer-sale/")


def test_making_a_section_private_and_public_again(client, shop, home, shop_index, shopper, commit, prime):
    """The page tree and its view restrictions are kept per generation: a restriction saved or
    deleted is an invalidation, for the cached pages and for the routing."""
    from wagtail.models import PageViewRestriction

    sale = add_child(shop_index, LandingPage(title="Members sale", slug="members-sale"))
    prime("/shop/members-sale/", "/shop/")
    with commit():
        restriction = PageViewRestriction.objects.create(page=shop_index, restriction_type="groups")
    with commit():
        restriction.groups.add(*shopper.groups.all())
    assert Client().get("/shop/members-sale/").status_code == 302  # to the log-in page
    assert Client().get("/shop/").status_code == 302
    with commit():
        restriction.delete()
    assert "Members sale" in fresh(sale.url)


def test_a_page_renamed_is_routed_at_its_new_address(client, shop, home, commit, prime):
    sale = add_child(home, LandingPage(title="Summer sale", slug="summer-sale"))
    prime("/summer-sale/")
    sale.slug = "big-summer-sale"
    with commit():
        sale.save_revision().publish()
    assert "Summer sale" in fresh("/big-summer-sale/")
    assert Client().get("/summer-sale/").status_code in (301, 404)


# Every page that shows the product's card (kept per product: home/products.py listing_cards).
CARDS = ["/", "/shop/", "/shop/t-shirts/", "/shop/t-shirts/?sort=price_asc", "/search/?q=tee"]


def test_editing_a_product(client, shop, commit, prime):
    urls = [*CARDS, shop.get_absolute_url()]
    prime(*urls)
    shop.name = "Renamed tee"
    with commit():
        shop.save()
    for url in urls:
        assert "Renamed tee" in fresh(url), url


def test_changing_a_price(client, shop, commit, prime):
    urls = [*CARDS, shop.get_absolute_url()]
    prime(*urls)
    with commit():
        for variant in shop.variants.all():
            variant.price_override = Decimal("12.34")
            variant.save()
    for url in urls:
        assert "12.34" in fresh(url), url


def test_staff_stock_edit_selling_out(client, shop, commit, prime):
    url = shop.get_absolute_url()
    prime(url, "/shop/t-shirts/")
    edits = [catalog.StockEdit(v.pk, posted=0, shown=v.stock) for v in shop.variants.all()]
    with commit():
        catalog.apply_stock_edits(shop.pk, edits, lambda: None)
    assert "Sold out" in fresh(url)
    assert shop.name not in fresh("/shop/t-shirts/")  # the category lists buyable products


def test_adding_an_image(client, shop, commit, prime):
    url = shop.get_absolute_url()
    prime(url)
    image = make_wagtail_image("new")
    with commit():
        ProductImage.objects.create(product=shop, image=image, alt_text="Brand new photo")
    assert "Brand new photo" in fresh(url)


def test_editing_a_category(client, shop, tshirts, commit, prime):
    url = shop.get_absolute_url()
    prime(url)
    tshirts.name = "Tees and tops"
    with commit():
        tshirts.save()
    assert "Tees and tops" in fresh(url)


def test_soft_deleting_and_restoring_a_product(client, shop, commit, prime):
    prime("/", "/shop/t-shirts/")
    with commit():
        catalog.soft_delete_product(shop)
    assert shop.name not in fresh("/")
    assert shop.name not in fresh("/shop/t-shirts/")
    prime("/")
    with commit():
        catalog.restore_product(shop)
    assert shop.name in fresh("/")


def test_site_settings(client, shop, home, commit, prime):
    prime("/")
    bar = AnnouncementSettings.for_site(home.get_site())
    bar.is_active, bar.text = True, "Free returns this week"
    with commit():
        bar.save()
    assert "Free returns this week" in fresh("/")


def test_a_scheduled_page_going_live_and_expiring(client, shop, home, commit, prime):
    """publish_scheduled (a CronJob every minute in the chart) publishes and expires pages."""
    sale = add_child(home, LandingPage(title="Flash sale", slug="flash-sale"))
    with commit():
        sale.unpublish()
    assert Client().get("/flash-sale/").status_code == 404
    past = timezone.now() - timedelta(minutes=1)
    revision = sale.save_revision(approved_go_live_at=past)
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["content"])
    with commit():
        call_command("publish_scheduled")
    assert "Flash sale" in fresh("/flash-sale/")
    prime("/flash-sale/")
    LandingPage.objects.filter(pk=sale.pk).update(expire_at=past)
    with commit():
        call_command("publish_scheduled")
    assert Client().get("/flash-sale/").status_code == 404


def _place(variant, quantity: int):
    cart = get_or_create_cart(session_key="checkout-session")
    add_item(cart, variant, quantity)
    details = orders.ShippingDetails("a@example.com", "Ada", "1 Road", "Town", "12345", "DE")
    return orders.place_order(cart, details)


def test_checkout_taking_the_last_unit_and_a_cancellation_bringing_it_back(
    client, home, tshirt_page, commit, prime
):
    tee = make_product("Last tee", sizes=("M",), stock=1)
    url = tee.get_absolute_url()
    prime(url)
    with commit():
        order = _place(tee.variants.get(), 1)
    assert "Sold out" in fresh(url)
    prime(url)
    with commit():
        orders.cancel_order(order, actor_label="test")
    page = fresh(url)
    assert "Sold out" not in page


def test_checkout_leaving_stock_keeps_pages_cached(client, home, tshirt_page, commit, prime):
    """Pages show availability, not counts: a sale that leaves units changes nothing shown."""
    tee = make_product("Plenty tee", sizes=("M",), stock=5)
    url = tee.get_absolute_url()
    prime(url)
    with commit():
        _place(tee.variants.get(), 1)
    assert Client().get(url)["X-Page-Cache"] == "hit"

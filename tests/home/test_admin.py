"""Marketers edit pages through Wagtail's admin; shop staff do not."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage, LandingPage
from shop.catalog.services import soft_delete_product
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def product_list(*ids) -> dict:
    data = {"count": len(ids)}
    for i, pk in enumerate(ids):
        data[str(i)] = {"value": pk, "deleted": "", "order": i, "id": ""}
    return data


def landing_form(title: str, product_id: int, **extra) -> dict:
    data = {
        "title": title,
        "slug": extra.pop("slug", "summer-hoodies-sale"),
        "seo_title": "",
        "search_description": "",
        "social_image": "",
        "body": streamfield(
            [
                ("featured_product", {"product": product_id, "heading": "", "text": "Our warmest."}),
                (
                    "product_grid",
                    {
                        "heading": "On sale",
                        "source": "chosen",
                        "products": product_list(product_id),
                        "category": "",
                        "tag": "",
                        "limit": 8,
                    },
                ),
                ("rich_text", rich_text("<p>Only this summer.</p>")),
            ]
        ),
    }
    data.update(extra)
    return nested_form_data(data)


@pytest.fixture
def logged_in_marketer(client, home, marketer, password):
    client.login(email=marketer.email, password=password)
    return client


def test_marketer_reaches_the_admin_and_page_editor(logged_in_marketer, home):
    assert logged_in_marketer.get("/admin/").status_code == 200
    assert logged_in_marketer.get(reverse("wagtailadmin_pages:edit", args=[home.pk])).status_code == 200


def test_product_chooser_lists_products_by_name_with_thumbnail_and_searches(
    logged_in_marketer, product, tshirts
):
    gone = make_product("Vanished tee", category=tshirts, images=1)
    soft_delete_product(gone)
    make_product("Hooded parka", category=tshirts)
    url = reverse("product_chooser:choose")
    response = logged_in_marketer.get(url)
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Plain tee" in html and "Hooded parka" in html
    assert "<img" in html
    assert "Vanished tee" not in html
    results = logged_in_marketer.get(
        reverse("product_chooser:choose_results"), {"q": "parka"}
    ).content.decode()
    assert "Hooded parka" in results and "Plain tee" not in results
    chosen = logged_in_marketer.get(reverse("product_chooser:chosen", args=[product.pk])).json()
    assert chosen["result"]["title"] == "Plain tee"
    assert chosen["result"]["preview"]["url"].endswith(".png")  # the photo shown beside the name


def test_product_chooser_widget_shows_the_chosen_product_photo(product):
    from home.blocks import ProductChooserBlock

    block = ProductChooserBlock()
    html = block.field.widget.render("product", product.pk, attrs={"id": "id_product"})
    assert "data-product-chooser-image" in html and "Plain tee" in html
    assert 'src="/media/' in html
    from home.chooser import ProductChooserAdapter

    assert "home/js/product-chooser-telepath.js" in str(ProductChooserAdapter().media)


def test_marketer_creates_previews_edits_and_publishes_a_landing_page(logged_in_marketer, home, product):
    client = logged_in_marketer
    add_url = reverse("wagtailadmin_pages:add", args=["home", "landingpage", home.pk])
    assert client.get(add_url).status_code == 200

    preview_url = reverse("wagtailadmin_pages:preview_on_add", args=["home", "landingpage", home.pk])
    assert client.post(preview_url, landing_form("Summer hoodies sale", product.pk)).json()["is_valid"]
    preview = client.get(preview_url).content.decode()
    assert "Plain tee" in preview and "19.00" in preview

    response = client.post(add_url, landing_form("Summer hoodies sale", product.pk))
    assert response.status_code == 302
    page = LandingPage.objects.get(slug="summer-hoodies-sale")
    assert not page.live  # a draft until published
    assert client.get("/summer-hoodies-sale/").status_code == 404

    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(
        edit_url, landing_form("Summer hoodies sale: 30% off", product.pk, **{"action-publish": "publish"})
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.revisions.count() == 2
    live = client.get("/summer-hoodies-sale/").content.decode()
    assert "Summer hoodies sale: 30% off" in live and "Plain tee" in live and "Our warmest." in live


def test_invalid_block_input_is_refused_with_a_message(logged_in_marketer, home, product):
    add_url = reverse("wagtailadmin_pages:add", args=["home", "landingpage", home.pk])
    data = landing_form("Broken", product.pk, slug="broken")
    data["body-1-value-products-count"] = "0"
    response = logged_in_marketer.post(add_url, data)
    assert response.status_code == 200  # the form again, with errors
    assert not LandingPage.objects.filter(slug="broken").exists()


def test_scheduled_publishing(logged_in_marketer, home, product):
    add_url = reverse("wagtailadmin_pages:add", args=["home", "landingpage", home.pk])
    go_live = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    data = landing_form("Later sale", product.pk, slug="later-sale", go_live_at=go_live)
    data["action-publish"] = "publish"
    assert logged_in_marketer.post(add_url, data).status_code == 302
    page = LandingPage.objects.get(slug="later-sale")
    assert not page.live
    revision = page.scheduled_revision
    assert revision is not None and revision.approved_go_live_at > timezone.now()
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not yet
    # An hour later:
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live


def test_marketer_edits_site_settings(logged_in_marketer, home):
    for model in [
        "navigationsettings",
        "footersettings",
        "seosettings",
        "announcementsettings",
        "sitesettings",
    ]:
        url = reverse("wagtailsettings:edit", args=["home", model, home.get_site().pk])
        assert logged_in_marketer.get(url).status_code == 200, model


def test_announcement_and_navigation_settings_show_on_the_storefront(client, home):
    from home.models import AnnouncementSettings, NavigationSettings

    site = home.get_site()
    AnnouncementSettings.objects.update_or_create(
        site=site, defaults={"is_active": True, "text": "Free returns"}
    )
    nav = NavigationSettings.for_site(site)
    nav.links = [("link", {"label": "Sale", "page": None, "url": "/sale/"})]
    nav.save()
    body = client.get("/").content.decode()
    assert "Free returns" in body
    assert '<a class="nav-link" href="/sale/">Sale</a>' in body


def test_shop_staff_cannot_edit_pages(client, staff_user, password, home):
    client.login(email=staff_user.email, password=password)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert response.status_code in (302, 403)
    add_url = reverse("wagtailadmin_pages:add", args=["home", "landingpage", home.pk])
    assert client.get(add_url).status_code in (302, 403)


def test_marketer_cannot_touch_stock_orders_or_payments(marketer):
    assert marketer.has_perm("wagtailadmin.access_admin")
    assert marketer.has_perm("catalog.view_product")
    for perm in ["catalog.change_productvariant", "catalog.change_product", "catalog.delete_product"]:
        assert not marketer.has_perm(perm), perm
    from django.contrib.auth.models import Permission

    for app in ["orders", "payments", "cart"]:
        for p in Permission.objects.filter(content_type__app_label=app):
            assert not marketer.has_perm(f"{app}.{p.codename}"), p


def test_page_type_rules(home, shop_index, tshirt_page):
    assert not HomePage.can_create_at(home)
    assert LandingPage.can_create_at(home) and LandingPage.can_create_at(shop_index)
    assert not LandingPage.can_create_at(tshirt_page)
    from home.models import CategoryPage, ShopIndexPage

    assert CategoryPage.can_create_at(shop_index) and not CategoryPage.can_create_at(home)
    assert not ShopIndexPage.can_create_at(home)  # one shop index only


def _preview(client, page_pk: int, data: dict) -> str:
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page_pk])
    assert client.post(url, data).json()["is_valid"]
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_preview_of_every_page_type_shows_live_products(
    logged_in_marketer, home, shop_index, tshirt_page, product
):
    home_data = landing_form("Home", product.pk, slug="home")
    assert "Plain tee" in _preview(logged_in_marketer, home.pk, home_data)

    shop_data = nested_form_data(
        {
            "title": "All products",
            "slug": "shop",
            "intro": rich_text("<p>Everything.</p>"),
            "new_arrivals": 8,
            "seo_title": "",
            "search_description": "",
            "social_image": "",
        }
    )
    preview = _preview(logged_in_marketer, shop_index.pk, shop_data)
    assert "All products" in preview and "Plain tee" in preview

    category_data = nested_form_data(
        {
            "title": "Tees",
            "slug": "t-shirts",
            "category": product.category_id,
            "intro": rich_text("<p>Soft and heavy.</p>"),
            "seo_title": "",
            "search_description": "",
            "social_image": "",
        }
    )
    preview = _preview(logged_in_marketer, tshirt_page.pk, category_data)
    assert "Soft and heavy." in preview and "Plain tee" in preview

    landing = LandingPage(title="Sale", slug="sale")
    home.add_child(instance=landing)
    assert "Plain tee" in _preview(
        logged_in_marketer, landing.pk, landing_form("Sale", product.pk, slug="sale")
    )


@pytest.mark.parametrize("path", ["/admin/shop/orders/", "/admin/shop/payment-events/"])
def test_marketer_is_kept_out_of_the_shop_admin(logged_in_marketer, path):
    response = logged_in_marketer.get(path)
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"] or response["Location"].rstrip("/") == "/admin"


def test_marketer_cannot_change_a_product(logged_in_marketer, product):
    assert logged_in_marketer.get(f"/admin/shop/products/edit/{product.pk}/").status_code in (302, 403)
    response = logged_in_marketer.post(f"/admin/shop/products/edit/{product.pk}/", {"name": "Hacked"})
    assert response.status_code in (302, 403, 404)
    product.refresh_from_db()
    assert product.name == "Plain tee"

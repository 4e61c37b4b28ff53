"""The catalog's admin screens as each role sees them."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from shop.catalog.models import Product, ProductVariant
from shop.catalog.services import soft_delete_product
from tests.factories import make_category, make_product, product_edit_data

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/shop/products/"
CATEGORIES = "/admin/shop/categories/"
LOW_STOCK = "/admin/shop/low-stock/"


@pytest.fixture
def product():
    return make_product("Plain tee", colours=("Black",), sizes=("S", "M"), price="20.00")


@pytest.fixture
def as_marketer(client, marketer):
    client.force_login(marketer)
    return client


@pytest.fixture
def as_staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def as_shopper(client, shopper):
    client.force_login(shopper)
    return client


def urls(product):
    return {
        "list": PRODUCTS,
        "add": f"{PRODUCTS}add/",
        "edit": f"{PRODUCTS}edit/{product.pk}/",
        "inspect": f"{PRODUCTS}inspect/{product.pk}/",
        "delete": f"{PRODUCTS}delete/{product.pk}/",
        "categories": CATEGORIES,
        "category_add": f"{CATEGORIES}add/",
        "category_edit": f"{CATEGORIES}edit/{product.category.pk}/",
        "low_stock": LOW_STOCK,
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            "as_staff",
            {
                "list",
                "add",
                "edit",
                "inspect",
                "delete",
                "categories",
                "category_add",
                "category_edit",
                "low_stock",
            },
        ),
        ("as_marketer", {"list", "inspect", "categories", "low_stock"}),
    ],
)
def test_each_role_sees_what_it_may(request, product, role, allowed):
    client = request.getfixturevalue(role)
    for name, url in urls(product).items():
        status = client.get(url).status_code
        if name in allowed:
            assert status == 200, (name, status)
        else:
            assert status in (302, 403), (name, status)
            assert client.get(url).status_code != 200


def test_shoppers_and_strangers_are_sent_to_the_login(client, as_shopper, product):
    for url in urls(product).values():
        assert as_shopper.get(url).status_code in (302, 403)
    client.logout()
    response = client.get(PRODUCTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_marketer_cannot_post_an_edit(as_marketer, product):
    response = as_marketer.post(f"{PRODUCTS}edit/{product.pk}/", {"name": "Cheap", "base_price": "1.00"})
    assert response.status_code in (302, 403)
    product.refresh_from_db()
    assert product.base_price == 20 and product.name == "Plain tee"


def test_the_shop_menu_groups_the_catalog_screens(as_staff):
    html = as_staff.get("/admin/").content.decode()
    assert "Shop" in html and "/admin/shop/products/" in html and "/admin/shop/low-stock/" in html


def form_errors(response) -> str:
    form = response.context["form"]
    return f"{form.errors} {[(n, f.errors, f.non_form_errors()) for n, f in form.formsets.items()]}"


def test_staff_edit_prices_and_stock_on_one_screen(as_staff, product):
    data = product_edit_data(product, base_price="24.50")
    data["variants-0-stock"] = "7"
    response = as_staff.post(f"{PRODUCTS}edit/{product.pk}/", data)
    assert response.status_code == 302, form_errors(response)
    product.refresh_from_db()
    assert str(product.base_price) == "24.50"
    assert product.variants.order_by("sort_order", "pk").first().stock == 7


def test_staff_add_a_product_with_variants(as_staff, product):
    data = nested_form_data(
        {
            "name": "New hoodie",
            "category": product.category.pk,
            "base_price": "59.00",
            "tax_class": "standard",
            "compare_at_price": "",
            "description": rich_text("<p>Warm.</p>"),
            "tags": "new",
            "is_active": "on",
            "variants": inline_formset(
                [
                    {
                        "size": "M",
                        "colour": "Grey",
                        "sku": "HOOD-M-GREY",
                        "stock": "3",
                        "price_override": "",
                        "is_active": "on",
                    }
                ],
                min=1,
            ),
            "images": inline_formset([]),
            "slug": "",
            "seo_title": "",
            "meta_description": "",
        }
    )
    response = as_staff.post(f"{PRODUCTS}add/", data)
    assert response.status_code == 302, form_errors(response)
    created = Product.objects.get(name="New hoodie")
    assert created.slug == "new-hoodie"
    assert created.variants.get().sku == "HOOD-M-GREY"


def test_negative_stock_is_a_form_error_not_a_500(as_staff, product):
    data = product_edit_data(product)
    data["variants-0-stock"] = "-3"
    response = as_staff.post(f"{PRODUCTS}edit/{product.pk}/", data)
    assert response.status_code == 200
    assert product.variants.filter(stock__lt=0).count() == 0


def test_two_variants_with_the_same_size_and_colour_is_a_form_error(as_staff, product):
    data = product_edit_data(product)
    data["variants-1-size"] = data["variants-0-size"]
    response = as_staff.post(f"{PRODUCTS}edit/{product.pk}/", data)
    assert response.status_code == 200
    assert "duplicate data for product, size and colour" in form_errors(response)
    assert set(product.variants.values_list("size", flat=True)) == {"S", "M"}


def test_a_sku_taken_by_another_product_is_a_form_error(as_staff, product):
    other = make_product("Other")
    data = product_edit_data(product)
    data["variants-0-sku"] = other.variants.first().sku
    response = as_staff.post(f"{PRODUCTS}edit/{product.pk}/", data)
    assert response.status_code == 200
    assert product.variants.filter(sku=other.variants.first().sku).count() == 0


def test_delete_is_a_soft_delete_and_restore_brings_it_back(as_staff, product):
    response = as_staff.post(f"{PRODUCTS}delete/{product.pk}/")
    assert response.status_code == 302
    as_staff.get(PRODUCTS)  # shows the "deleted" message once
    assert not Product.objects.filter(pk=product.pk).exists()
    assert Product.all_objects.get(pk=product.pk).is_deleted
    listing = as_staff.get(PRODUCTS).content.decode()
    assert "Plain tee" not in listing
    deleted = as_staff.get(PRODUCTS + "?deleted=true").content.decode()
    assert "Plain tee" in deleted and f"restore/{product.pk}/" in deleted
    assert as_staff.get(f"{PRODUCTS}restore/{product.pk}/").status_code == 200
    assert as_staff.post(f"{PRODUCTS}restore/{product.pk}/").status_code == 302
    assert Product.objects.filter(pk=product.pk).exists()


def test_marketer_cannot_delete_or_restore(as_marketer, product):
    assert as_marketer.post(f"{PRODUCTS}delete/{product.pk}/").status_code in (302, 403)
    soft_delete_product(product)
    assert as_marketer.post(f"{PRODUCTS}restore/{product.pk}/").status_code in (302, 403)
    assert Product.all_objects.get(pk=product.pk).is_deleted


def test_filters_and_search(as_staff, product):
    hoodies = make_category("Hoodies", slug="hoodies")
    sold_out = make_product("Sold hoodie", category=hoodies, stock=0)
    inactive = make_product("Hidden tee", is_active=False)
    gone = make_product("Gone tee")
    soft_delete_product(gone)

    def names(query):
        html = as_staff.get(PRODUCTS + query).content.decode()
        return {p.name for p in (product, sold_out, inactive, gone) if p.name in html}

    assert names("") == {"Plain tee", "Sold hoodie", "Hidden tee"}
    assert names(f"?category={hoodies.pk}") == {"Sold hoodie"}
    assert names("?is_active=false") == {"Hidden tee"}
    assert names("?in_stock=false") == {"Sold hoodie"}
    assert names("?in_stock=true") == {"Plain tee", "Hidden tee"}
    assert names("?deleted=true") == {"Gone tee"}
    assert names("?q=plain") == {"Plain tee"}
    assert names(f"?q={product.variants.first().sku}") == {"Plain tee"}


def test_low_stock_lists_variants_at_or_under_the_threshold(as_staff, product):
    ProductVariant.objects.filter(product=product, size="S").update(stock=2)
    html = as_staff.get(LOW_STOCK).content.decode()
    low = product.variants.get(size="S")
    assert low.sku in html
    assert product.variants.get(size="M").sku not in html
    assert reverse("wagtailsnippets_catalog_product:edit", args=[product.pk]) in html


def test_bulk_deactivate_activate_and_soft_delete(as_staff, product):
    other = make_product("Second tee")
    ids = f"id={product.pk}&id={other.pk}"
    base = "/admin/bulk/catalog/product/"
    assert as_staff.get(f"{base}deactivate/?{ids}").status_code == 200
    assert as_staff.post(f"{base}deactivate/?{ids}").status_code == 302
    assert not Product.objects.filter(pk__in=[product.pk, other.pk], is_active=True).exists()
    assert as_staff.post(f"{base}activate/?{ids}").status_code == 302
    assert Product.objects.filter(pk__in=[product.pk, other.pk], is_active=True).count() == 2
    assert as_staff.post(f"{base}delete/?{ids}").status_code == 302
    assert Product.all_objects.filter(pk__in=[product.pk, other.pk], deleted_at__isnull=False).count() == 2
    assert as_staff.post(f"{base}restore/?{ids}").status_code == 302
    assert Product.objects.filter(pk__in=[product.pk, other.pk]).count() == 2


def test_marketer_cannot_bulk_deactivate(as_marketer, product):
    url = f"/admin/bulk/catalog/product/deactivate/?id={product.pk}"
    as_marketer.post(url)
    product.refresh_from_db()
    assert product.is_active


def test_category_with_products_cannot_be_deleted(as_staff, product):
    response = as_staff.post(f"{CATEGORIES}delete/{product.category.pk}/")
    assert response.status_code in (302, 403)
    product.category.refresh_from_db()


def test_staff_can_export_the_product_list(as_staff, product):
    response = as_staff.get(PRODUCTS + "?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Plain tee" in body and "20.00" in body


def test_marketers_can_use_the_product_chooser(as_marketer, product):
    response = as_marketer.get("/admin/snippets/choose/catalog/product/")
    assert response.status_code == 200
    assert "Plain tee" in response.content.decode()


def test_a_deleted_product_opens_in_the_editor_with_a_restore_button(as_staff, product):
    soft_delete_product(product)
    response = as_staff.get(f"{PRODUCTS}edit/{product.pk}/")
    assert response.status_code == 200
    assert f"{PRODUCTS}restore/{product.pk}/" in response.content.decode()


def test_a_database_refusal_on_save_is_a_form_error(as_staff, product, monkeypatch):
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Product, "save", refuse)
    response = as_staff.post(f"{PRODUCTS}edit/{product.pk}/", product_edit_data(product, base_price="1.00"))
    assert response.status_code == 200
    assert "could not be saved" in response.content.decode()

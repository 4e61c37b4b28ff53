"""Catalog rules that live in the models and the database."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from shop.catalog.models import Category, Product, ProductSlugRedirect, ProductVariant
from shop.catalog.services import (
    restore_product,
    soft_delete_product,
    storefront_products,
    variant_options,
)
from tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def test_stock_can_never_be_negative_even_through_a_bulk_update():
    product = make_product("Tee", stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(product=product).update(stock=F("stock") - 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.create(product=product, size="XL", sku="NEG-1", stock=-1)
    assert set(product.variants.values_list("stock", flat=True)) == {1}


def test_sku_is_unique_across_products():
    first = make_product("First")
    second = make_product("Second")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.create(product=second, size="XL", sku=first.variants.first().sku)


def test_slugs_are_made_from_names_and_unique():
    category = make_category("T-shirts")
    a = Product.objects.create(name="Classic Tee!", category=category, base_price=10)
    b = Product.objects.create(name="Classic tee", category=category, base_price=10)
    assert a.slug == "classic-tee"
    assert b.slug == "classic-tee-2"
    assert Category.objects.create(name="T-shirts").slug == "t-shirts-2"


def test_soft_deleted_slug_stays_taken():
    category = make_category()
    gone = Product.objects.create(name="Tee", category=category, base_price=10)
    soft_delete_product(gone)
    assert Product.objects.create(name="Tee", category=category, base_price=10).slug == "tee-2"


def test_soft_delete_hides_everywhere_but_keeps_the_row_and_foreign_keys(client):
    product = make_product("Tee")
    variant = product.variants.first()
    soft_delete_product(product)
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not storefront_products().filter(pk=product.pk).exists()
    assert client.get(f"/products/{product.slug}/").status_code == 404
    assert Product.all_objects.get(pk=product.pk).is_deleted
    # A row pointing at it (as an order line does) still reaches it.
    assert ProductVariant.objects.get(pk=variant.pk).product == product
    assert (
        not ProductVariant.objects.select_related("product__category").get(pk=variant.pk).product.is_visible
    )


def test_restore_brings_the_product_back(client):
    product = make_product("Tee")
    soft_delete_product(product)
    restore_product(Product.all_objects.get(pk=product.pk))
    assert Product.objects.filter(pk=product.pk).exists()
    assert client.get(f"/products/{product.slug}/").status_code == 200


def test_a_changed_slug_redirects_and_chains_collapse(client):
    product = make_product("Tee")
    product.slug = "tee-v2"
    product.save()
    product.slug = "tee-v3"
    product.save()
    assert set(ProductSlugRedirect.objects.values_list("old_slug", flat=True)) == {"tee", "tee-v2"}
    for old in ("tee", "tee-v2"):
        response = client.get(f"/products/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/products/tee-v3/"
    # Moving back to an old slug removes its redirect instead of looping.
    product.slug = "tee"
    product.save()
    assert client.get("/products/tee/").status_code == 200
    assert client.get("/products/tee-v3/").status_code == 301


def test_redirect_to_a_deleted_product_is_a_404(client):
    product = make_product("Tee")
    product.slug = "tee-new"
    product.save()
    soft_delete_product(product)
    assert client.get("/products/tee/").status_code == 404


def test_buyable_needs_an_active_variant_in_stock():
    product = make_product("Tee", stock=0)
    assert not Product.objects.buyable().filter(pk=product.pk).exists()
    variant = product.variants.first()
    variant.stock = 3
    variant.is_active = False
    variant.save()
    assert not Product.objects.buyable().filter(pk=product.pk).exists()
    ProductVariant.objects.filter(pk=variant.pk).update(is_active=True)
    assert Product.objects.buyable().filter(pk=product.pk).exists()
    assert storefront_products().get(pk=product.pk).is_buyable


def test_is_visible_is_the_one_object_twin_of_active():
    """Active, not deleted, in an active category: the same rule as the queryset's active()."""
    shown = make_product("Shown")
    inactive = make_product("Inactive", is_active=False)
    deleted = make_product("Deleted")
    soft_delete_product(deleted)
    hidden_category = make_category("Hidden", is_active=False)
    in_hidden_category = make_product("In a hidden category", category=hidden_category)
    products = Product.all_objects.select_related("category").filter(
        pk__in=[shown.pk, inactive.pk, deleted.pk, in_hidden_category.pk]
    )
    assert {p.pk for p in products if p.is_visible} == {shown.pk}
    assert set(Product.objects.active().values_list("pk", flat=True)) >= {shown.pk}
    assert (
        not Product.objects.active().filter(pk__in=[inactive.pk, deleted.pk, in_hidden_category.pk]).exists()
    )


def test_variant_options_mark_sizes_for_the_chosen_colour():
    product = make_product("Tee", sizes=("L", "S", "M"), colours=("Black", "White"))
    ProductVariant.objects.filter(product=product, colour="Black").update(stock=0)
    product = storefront_products().get(pk=product.pk)
    options = variant_options(product)
    assert [o.value for o in options.sizes] == ["S", "M", "L"]
    assert options.selected_colour == "White"  # the first colour with stock
    assert [(o.value, o.available) for o in options.colours] == [("Black", False), ("White", True)]
    assert all(o.available for o in options.sizes)
    black = variant_options(product, "Black")
    assert not any(o.available for o in black.sizes)
    assert black.availability["Black|S"] is False and black.availability["White|S"] is True


def test_soft_delete_and_restore_log_no_errors_and_leave_search(caplog, django_capture_on_commit_callbacks):
    from wagtail.search.backends import get_search_backend

    product = make_product("Searchable tee")
    backend = get_search_backend()
    assert list(backend.search("Searchable", Product.all_objects.all())) == [product]
    with django_capture_on_commit_callbacks(execute=True):
        soft_delete_product(product)
    assert list(backend.search("Searchable", Product.all_objects.all())) == []
    with django_capture_on_commit_callbacks(execute=True):
        restore_product(Product.all_objects.get(pk=product.pk))
    assert list(backend.search("Searchable", Product.all_objects.all())) == [product]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

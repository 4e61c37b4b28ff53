from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from taggit.models import Tag
from wagtail.images import get_image_model

from shop.catalog.demo import COLLECTION_NAME
from shop.catalog.models import Category, Product, ProductImage, ProductVariant

pytestmark = pytest.mark.django_db


def counts():
    from django.contrib.auth import get_user_model

    return {
        "categories": Category.objects.count(),
        "products": Product.all_objects.count(),
        "variants": ProductVariant.objects.count(),
        "product_images": ProductImage.objects.count(),
        "images": get_image_model().objects.count(),
        "users": get_user_model().objects.count(),
        "stock": sum(ProductVariant.objects.values_list("stock", flat=True)),
    }


@override_settings(DEBUG=True)
def test_seed_demo_builds_a_believable_shop_and_is_idempotent(client, site_root):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first

    assert set(Category.objects.values_list("slug", flat=True)) >= {"t-shirts", "hoodies", "jeans"}
    assert first["products"] >= 24
    tees = Product.objects.filter(category__slug="t-shirts")
    assert set(ProductVariant.objects.filter(product__in=tees).values_list("size", flat=True)) == {
        "XS", "S", "M", "L", "XL", "XXL",
    }  # fmt: skip
    assert ProductVariant.objects.filter(product__in=tees).values("colour").distinct().count() >= 5
    assert ProductVariant.objects.filter(stock=0).exists()
    assert Product.objects.filter(compare_at_price__isnull=False).count() >= 3
    assert {"new", "summer", "bestseller"} <= set(Tag.objects.values_list("name", flat=True))
    for product in Product.objects.all():
        assert 2 <= product.images.count() <= 3, product
    assert get_image_model().objects.filter(collection__name=COLLECTION_NAME).count() == first["images"]

    from django.contrib.auth import authenticate

    for email, password in [("admin@example.com", "admin"), ("marketer@example.com", "marketer"),
                            ("staff@example.com", "staff"), ("shopper@example.com", "shopper")]:  # fmt: skip
        assert authenticate(username=email, password=password) is not None, email
    product = Product.objects.buyable().first()
    assert client.get(product.get_absolute_url()).status_code == 200

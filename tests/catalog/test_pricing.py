"""Price history and the Omnibus rule: a reduction is shown only against the lowest price of the
30 days before it, and that price is shown with it."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from home.seo import product_json_ld
from shop.catalog.models import PriceRecord, Product, ProductVariant
from shop.catalog.pricing import price_history, record_price, shown_price
from shop.catalog.services import get_visible_product
from tests.factories import make_product

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def days_ago(n: float):
    return NOW - timedelta(days=n)


def priced(product: Product, steps: list[tuple[float, str]]) -> Product:
    """Replace the product's history: each (days ago, price) took effect then; the last one is current."""
    variants = list(product.variants.all())
    PriceRecord.objects.filter(variant__in=variants).delete()
    for ago, price in steps:
        for variant in variants:
            record_price(variant, Decimal(price), at=days_ago(ago))
    Product.objects.filter(pk=product.pk).update(base_price=Decimal(steps[-1][1]))
    return get_visible_product(product.slug)


def test_every_price_change_is_recorded_and_an_unchanged_save_is_not():
    product = make_product("Tee", price="20.00", sizes=("M",))
    variant = product.variants.get()
    assert [r.price for r in price_history(variant)] == [Decimal("20.00")]
    product.base_price = Decimal("18.00")
    product.save()
    product.save()
    variant.price_override = Decimal("22.00")
    variant.save()
    variant.save()
    history = list(price_history(variant))
    assert [r.price for r in history] == [Decimal("20.00"), Decimal("18.00"), Decimal("22.00")]
    assert [r.valid_until is None for r in history] == [False, False, True]
    assert history[2].lowest_prior == Decimal("18.00")


def test_a_real_reduction_shows_compare_at_and_the_lowest_price_of_30_days_before_it():
    product = make_product("Tee", sizes=("S", "M"), compare_at_price=Decimal("40.00"))
    product = priced(product, [(90, "40.00"), (20, "35.00"), (5, "25.00")])
    prices = shown_price(product)
    assert (prices.low, prices.compare_at, prices.lowest_30_days) == (
        Decimal("25.00"),
        Decimal("40.00"),
        Decimal("35.00"),
    )


def test_a_price_raised_and_lowered_again_within_30_days_shows_no_discount():
    product = make_product("Tee", compare_at_price=Decimal("50.00"))
    product = priced(product, [(60, "30.00"), (12, "50.00"), (2, "40.00")])
    prices = shown_price(product)
    assert prices.low == Decimal("40.00")
    assert not prices.on_sale and prices.compare_at is None and prices.lowest_30_days is None


def test_prices_older_than_30_days_before_the_reduction_do_not_count():
    product = make_product("Tee", compare_at_price=Decimal("60.00"))
    # 20.00 ended 40 days before the reduction: outside the window. 60.00 ran across it.
    product = priced(product, [(100, "20.00"), (45, "60.00"), (5, "45.00")])
    assert shown_price(product).lowest_30_days == Decimal("60.00")


def test_a_long_sale_keeps_the_price_from_before_it_started():
    product = make_product("Tee", compare_at_price=Decimal("60.00"))
    product = priced(product, [(200, "60.00"), (90, "45.00")])
    prices = shown_price(product)
    assert prices.on_sale and prices.lowest_30_days == Decimal("60.00")


def test_a_new_product_has_no_prior_price_so_no_sale_is_announced():
    product = get_visible_product(make_product("Tee", price="19.00", compare_at_price=Decimal("29.00")).slug)
    assert not shown_price(product).on_sale


def test_the_lowest_price_compares_the_cheapest_variants():
    product = make_product("Tee", sizes=("S", "XL"), compare_at_price=Decimal("40.00"))
    small, large = product.variants.order_by("size")[1], product.variants.order_by("size")[0]
    PriceRecord.objects.all().delete()
    record_price(small, Decimal("30.00"), at=days_ago(60))
    record_price(large, Decimal("36.00"), at=days_ago(60))
    record_price(small, Decimal("24.00"), at=days_ago(3))
    record_price(large, Decimal("36.00"), at=days_ago(3))
    ProductVariant.objects.filter(pk=small.pk).update(price_override=Decimal("24.00"))
    ProductVariant.objects.filter(pk=large.pk).update(price_override=Decimal("36.00"))
    prices = shown_price(get_visible_product(product.slug))
    assert (prices.low, prices.lowest_30_days) == (Decimal("24.00"), Decimal("30.00"))


@override_settings(SHOP_CURRENCY="EUR")
def test_card_page_and_json_ld_show_the_lowest_price_with_the_struck_price(client):
    product = make_product("Sale tee", images=1, compare_at_price=Decimal("40.00"))
    product = priced(product, [(90, "40.00"), (5, "29.00")])
    html = client.get(product.get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "was €40.00" in text
    assert "Lowest price in the last 30 days: €40.00" in text
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    spec = json.loads(script)["offers"]["priceSpecification"]
    assert spec[1] == {
        "@type": "UnitPriceSpecification",
        "priceType": "https://schema.org/StrikethroughPrice",
        "price": "40.00",
        "priceCurrency": "EUR",
    }
    assert product_json_ld(product, "u", [])["offers"]["price"] == "29.00"


def test_a_fake_discount_is_not_rendered(client):
    product = make_product("Fake sale", compare_at_price=Decimal("50.00"))
    product = priced(product, [(60, "30.00"), (12, "50.00"), (2, "40.00")])
    html = client.get(product.get_absolute_url()).content.decode()
    assert "price-compare" not in html and "Lowest price in the last 30 days" not in html


def test_the_card_uses_the_same_rule():
    from django.template.loader import render_to_string

    product = make_product("Card tee", compare_at_price=Decimal("40.00"))
    product = priced(product, [(90, "40.00"), (5, "29.00")])
    html = render_to_string("catalog/includes/product_card.html", {"product": product})
    assert "Sale</span>" in html and "Lowest price in the last 30 days: " in html

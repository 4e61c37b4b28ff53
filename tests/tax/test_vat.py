"""VAT: rates by destination and tax class, per-line rounding, totals that add up to the cent."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.cart.models import Cart, CartItem
from shop.orders.models import Order
from shop.orders.services import ShippingDetails, place_order
from shop.tax.models import TaxClass, VatRate
from shop.tax.services import rates_for, vat_in_gross
from tests.factories import make_order, make_product, make_variant

pytestmark = pytest.mark.django_db
D = Decimal


def details(country: str = "DE") -> ShippingDetails:
    return ShippingDetails("ada@example.com", "Ada Lovelace", "1 Main St", "Town", "12345", country)


def cart_with(*lines) -> Cart:
    cart = Cart.objects.create(session_key=f"s{Cart.objects.count()}")
    for variant, quantity in lines:
        CartItem.objects.create(
            cart=cart,
            variant=variant,
            quantity=quantity,
            unit_price_seen=variant.price,
            stock_seen=variant.stock,
        )
    return cart


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        ("11.90", "19", "1.90"),
        ("19.99", "19", "3.19"),  # 3.1917
        ("0.01", "19", "0.00"),
        ("0.07", "7", "0.00"),  # 0.00458
        ("0.08", "7", "0.01"),  # 0.00523
        ("2.38", "19", "0.38"),  # 0.38 exactly
        ("5.95", "19", "0.95"),  # 0.95 exactly
        ("0.25", "19", "0.04"),  # 0.0399
        ("107.00", "7", "7.00"),
        ("3.15", "5.5", "0.16"),  # 0.16422
        ("12.34", "0", "0.00"),
    ],
)
def test_vat_contained_in_a_gross_amount_is_rounded_half_up_per_amount(gross, rate, vat):
    assert vat_in_gross(D(gross), D(rate)) == D(vat)


def test_half_cent_rounds_up():
    # 0.105 exactly: gross 0.655 is not a price, so build one: 119 x 0.105 / 19 = 0.6576...
    # A real half cent: gross 5.25 at 5 % holds 0.25 exactly; 2.1 at 5 % holds 0.1 exactly;
    # gross 0.21 at 5 % holds 0.01; 0.63 at 5 % holds 0.03; 0.105 needs gross 2.205: not a price.
    # So use 10 %: gross 0.11 holds 0.01 exactly, 1.155 is not a price; 25 %: 0.025 in 0.125.
    assert vat_in_gross(D("0.13"), D("25")) == D("0.03")  # 0.026 -> 0.03
    assert vat_in_gross(D("0.12"), D("25")) == D("0.02")  # 0.024 -> 0.02


def test_destination_rates_fall_back_to_home_country_per_class(settings):
    settings.SHOP_HOME_COUNTRY = "DE"
    VatRate.objects.update_or_create(country="FR", tax_class="standard", defaults={"rate": D("20.00")})
    assert rates_for("FR") == {"standard": D("20.00"), "reduced": D("7.00")}
    assert rates_for("DE") == {"standard": D("19.00"), "reduced": D("7.00")}
    assert rates_for("US") == {"standard": D("19.00"), "reduced": D("7.00")}
    VatRate.objects.update_or_create(country="US", tax_class="standard", defaults={"rate": D("0")})
    VatRate.objects.update_or_create(country="US", tax_class="reduced", defaults={"rate": D("0")})
    assert rates_for("US") == {"standard": D("0.00"), "reduced": D("0.00")}


def test_default_rates_of_the_data_migration_never_overwrite_staffs():
    """The migration's function on an empty table (a transactional test may have flushed it)."""
    from shop.tax.defaults import ensure_default_rates

    VatRate.objects.all().delete()
    ensure_default_rates(VatRate)
    assert set(VatRate.objects.values_list("country", "tax_class", "rate")) == {
        ("DE", "standard", D("19.00")),
        ("DE", "reduced", D("7.00")),
    }
    VatRate.objects.filter(tax_class="standard").update(rate=D("16.00"))
    ensure_default_rates(VatRate)
    assert VatRate.objects.get(tax_class="standard").rate == D("16.00")


def test_many_awkward_lines_add_up_to_the_cent(settings):
    """37 lines at odd prices and quantities, two rates: every sum closes exactly."""
    settings.SHOP_FREE_SHIPPING_THRESHOLD = D("100000")
    settings.SHOP_SHIPPING_FLAT_RATE = D("4.99")
    VatRate.objects.update_or_create(country="FR", tax_class="standard", defaults={"rate": D("20.00")})
    VatRate.objects.update_or_create(country="FR", tax_class="reduced", defaults={"rate": D("5.50")})
    prices = [
        "0.01",
        "0.03",
        "0.07",
        "0.99",
        "1.01",
        "3.33",
        "9.99",
        "12.35",
        "19.95",
        "0.05",
        "7.77",
        "66.66",
    ]
    lines = []
    for i in range(37):
        tax_class = TaxClass.REDUCED if i % 3 == 0 else TaxClass.STANDARD
        product = make_product(f"Odd {i}", price=prices[i % len(prices)], tax_class=tax_class)
        lines.append((make_variant(product, stock=50), 1 + i % 5))
    order = place_order(cart_with(*lines), details("FR"))

    items = list(order.items.all())
    assert len(items) == 37
    for item in items:
        assert item.vat_rate == (D("5.50") if item.product.tax_class == TaxClass.REDUCED else D("20.00"))
        exact = item.line_total * item.vat_rate / (100 + item.vat_rate)
        assert abs(item.vat_amount - exact) <= D("0.005")
        assert item.net_total + item.vat_amount == item.line_total
    assert order.shipping_vat_rate == D("20.00")
    assert order.shipping_vat == D("0.83")  # 4.99 x 20 / 120 = 0.8317
    assert order.vat_total == sum(i.vat_amount for i in items) + order.shipping_vat

    summary = order.vat_summary()
    assert [row.rate for row in summary] == [D("20.00"), D("5.50")]
    assert sum(row.gross for row in summary) == order.total
    assert sum(row.vat for row in summary) == order.vat_total
    assert sum(row.net for row in summary) == order.net_total
    for row in summary:
        assert row.net + row.vat == row.gross
    reduced = [i for i in items if i.vat_rate == D("5.50")]
    assert summary[1].gross == sum(i.line_total for i in reduced)
    assert summary[1].vat == sum(i.vat_amount for i in reduced)


def test_shipping_follows_the_highest_rate_of_the_lines(settings):
    settings.SHOP_SHIPPING_FLAT_RATE = D("4.90")
    settings.SHOP_FREE_SHIPPING_THRESHOLD = D("75.00")
    reduced = make_variant(make_product("Baby vest", price="10.70", tax_class=TaxClass.REDUCED))
    order = place_order(cart_with((reduced, 1)), details())
    assert (order.shipping_vat_rate, order.shipping_vat) == (D("7.00"), D("0.32"))  # 4.90 x 7/107
    assert order.vat_total == D("0.70") + D("0.32")


def test_a_rate_change_never_touches_a_placed_order():
    order = place_order(cart_with((make_variant(make_product(price="11.90")), 1)), details())
    VatRate.objects.filter(country="DE", tax_class="standard").update(rate=D("21.00"))
    order.refresh_from_db()
    item = order.items.get()
    assert (item.vat_rate, item.vat_amount) == (D("19.00"), D("1.90"))


def test_order_page_shows_net_vat_per_rate_and_gross(client: Client):
    order = make_order(
        [
            (make_variant(make_product(price="11.90")), 2),
            (make_variant(make_product(price="10.70", tax_class=TaxClass.REDUCED)), 1),
        ]
    )
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Prices include VAT" in html
    # 19 %: lines 23.80 + shipping 4.90 = 28.70 gross, VAT 3.80 + 0.78 = 4.58, net 24.12
    assert (
        '19%</th><td class="text-end">€24.12</td><td class="text-end">€4.58</td><td class="text-end">€28.70'
        in html
    )
    assert (
        '7%</th><td class="text-end">€10.00</td><td class="text-end">€0.70</td><td class="text-end">€10.70'
        in html
    )
    assert order.total == D("39.40") and order.vat_total == D("5.28")


def test_staff_keep_vat_rates_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    listing = client.get("/admin/shop/vat-rates/")
    assert listing.status_code == 200
    response = client.post(
        "/admin/shop/vat-rates/new/", {"country": "AT", "tax_class": "standard", "rate": "20.00"}
    )
    assert response.status_code == 302
    assert VatRate.objects.get(country="AT").rate == D("20.00")
    duplicate = client.post(
        "/admin/shop/vat-rates/new/", {"country": "AT", "tax_class": "standard", "rate": "21.00"}
    )
    assert duplicate.status_code == 200  # the form again, with the error
    assert VatRate.objects.get(country="AT").rate == D("20.00")
    bad = client.post("/admin/shop/vat-rates/new/", {"country": "AT", "tax_class": "reduced", "rate": "150"})
    assert bad.status_code == 200
    assert not VatRate.objects.filter(country="AT", tax_class="reduced").exists()


def test_orders_keep_a_vat_total_within_their_total():
    order = make_order([(make_variant(make_product(price="0.01")), 1)], shipping="0.00")
    assert (order.total, order.vat_total) == (D("0.01"), D("0.00"))
    assert Order.objects.filter(vat_total__gt=0).count() == 0

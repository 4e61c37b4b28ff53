"""A small shop to attack, a fingerprint of everything an attack must not change, and the
hypothesis profiles: `ci` (make test, a few examples per property) and `fuzz` (make fuzz)."""

import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from shop.accounts.models import Address
from shop.cart.models import Cart, CartItem
from shop.catalog.models import Product, ProductVariant
from shop.orders.models import Order, OrderEvent, OrderItem
from shop.payments import services as payment_services
from shop.payments.models import Payment, PaymentLog, Refund
from tests.factories import make_category, make_order, make_product

_SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
hypothesis_settings.register_profile(
    "ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")), deadline=None, database=None,
    suppress_health_check=_SUPPRESS, phases=[Phase.explicit, Phase.reuse, Phase.generate],
)  # fmt: skip
hypothesis_settings.register_profile("fuzz", max_examples=400, deadline=None, suppress_health_check=_SUPPRESS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

INPUTS_TRIED = {"requests": 0}


def pytest_terminal_summary(terminalreporter):
    if INPUTS_TRIED["requests"]:
        terminalreporter.write_line(f"hostile inputs tried: {INPUTS_TRIED['requests']} requests")


def count_request() -> None:
    INPUTS_TRIED["requests"] += 1


class World:
    """Names for the rows the tests aim at: real ids and ids that belong to someone else."""

    def __init__(self, **rows):
        self.__dict__.update(rows)


@pytest.fixture
def world(db, make_user, site_root):
    shopper = make_user("victim@example.com")
    make_user("other@example.com")
    make_category("T-shirts")
    product = make_product("Plain tee", sizes=("S", "M"), stock=5)
    hidden = make_product("Hidden tee", sizes=("M",), stock=5, is_active=False)
    variant = product.variants.order_by("pk").first()
    foreign_order = make_order([(variant, 1)], user=shopper, email="victim@example.com")
    guest_order = make_order([(variant, 1)], email="guest@example.com")
    payment = payment_services.create_payment(guest_order, Payment.Provider.TEST)
    foreign_payment = payment_services.create_payment(foreign_order, Payment.Provider.TEST)
    foreign_cart = Cart.objects.create(user=shopper)
    foreign_item = CartItem.objects.create(
        cart=foreign_cart,
        variant=variant,
        quantity=1,
        unit_price_seen=variant.price,
        stock_seen=variant.stock,
    )
    Address.objects.create(
        user=shopper, full_name="Vic Tim", line1="1 Main St", city="Berlin", postal_code="10115", country="DE"
    )
    return World(
        shopper=shopper,
        product=product,
        variant=variant,
        hidden_variant=hidden.variants.get(),
        foreign_order=foreign_order,
        guest_order=guest_order,
        payment=payment,
        foreign_payment=foreign_payment,
        home=site_root,
        foreign_item=foreign_item,
    )


def fingerprint() -> dict:
    """Everything a refused request must leave as it was (sessions and login attempts may change)."""
    user_model = get_user_model()
    return {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "total", "email")),
        "order_items": OrderItem.objects.count(),
        "order_events": OrderEvent.objects.count(),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status", "amount")),
        "payment_logs": PaymentLog.objects.count(),
        "refunds": Refund.objects.count(),
        "stock": list(ProductVariant.objects.order_by("pk").values_list("pk", "stock", "is_active")),
        "products": list(Product.objects.order_by("pk").values_list("pk", "name", "base_price")),
        "carts": Cart.objects.count(),
        "cart_items": list(CartItem.objects.order_by("pk").values_list("pk", "cart_id", "quantity")),
        "users": list(user_model.objects.order_by("pk").values_list("pk", "email", "password", "is_active")),
        "addresses": list(Address.objects.order_by("pk").values_list("pk", "line1", "city", "country")),
        "pages": list(Page.objects.order_by("pk").values_list("pk", "title", "live")),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
    }

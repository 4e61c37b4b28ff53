"""Small builders for catalog rows and orders, shared by the cart and orders tests."""

import itertools
from decimal import Decimal

from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order, OrderItem

_seq = itertools.count(1)


def make_category(name: str = "T-shirts") -> Category:
    category, _ = Category.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={"name": name})
    return category


def make_product(name: str | None = None, *, price: str = "20.00", **extra) -> Product:
    n = next(_seq)
    return Product.objects.create(
        name=name or f"Tee {n}",
        slug=f"tee-{n}-{name or 'x'}".lower().replace(" ", "-"),
        category=make_category(),
        base_price=Decimal(price),
        **extra,
    )


def make_variant(
    product: Product | None = None,
    *,
    size: str = "M",
    colour: str = "Black",
    stock: int = 10,
    price: str | None = None,
    **extra,
) -> ProductVariant:
    product = product or make_product()
    return ProductVariant.objects.create(
        product=product,
        size=size,
        colour=colour,
        sku=f"SKU-{next(_seq)}",
        stock=stock,
        price_override=Decimal(price) if price is not None else None,
        **extra,
    )


def make_order(
    lines: list[tuple[ProductVariant, int]] | None = None,
    *,
    status: str = Order.Status.PENDING_PAYMENT,
    user=None,
    email: str = "guest@example.com",
    shipping: str = "4.90",
    take_stock: bool = True,
    **extra,
) -> Order:
    """An order as checkout would leave it: lines snapshotted, stock taken."""
    lines = lines if lines is not None else [(make_variant(), 1)]
    subtotal = sum((v.price * q for v, q in lines), Decimal("0.00"))
    order = Order.objects.create(
        user=user,
        email=email,
        status=status,
        currency="EUR",
        subtotal=subtotal,
        shipping=Decimal(shipping),
        total=subtotal + Decimal(shipping),
        full_name="Grace Guest",
        line1="1 Main Street",
        city="Berlin",
        postal_code="10115",
        country="DE",
        **extra,
    )
    for variant, quantity in lines:
        OrderItem.snapshot(variant, quantity, order=order).save()
        if take_stock:
            variant.stock -= quantity
            variant.save(update_fields=["stock"])
    return order

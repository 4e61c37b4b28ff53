"""The suite's one set of test builders: plain functions that make real rows, no factory library.

Catalog rows, orders as checkout leaves them, published pages, payments as checkout starts them,
the admin's product form data, and the checkout form filled in a browser. Fixtures
(tests/conftest.py and each folder's conftest.py) call these; test modules import them from here
and from nowhere else.
"""

import contextlib
import functools
import itertools
import subprocess
import threading
from decimal import Decimal
from io import BytesIO

import PIL.Image
from django.core.files.images import ImageFile
from django.db import close_old_connections, connection
from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from home.models import LandingPage
from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.orders.models import Order, OrderItem
from shop.orders.services import mark_delivered, mark_shipped
from shop.orders.vat import apply_vat
from shop.payments.models import Payment
from shop.payments.refunds import refund_payment
from shop.payments.services import begin_payment, create_payment, settle_test_payment

_seq = itertools.count(1)
SITE_URL = "http://testserver/"

# --- catalog --------------------------------------------------------------------------------------


def make_category(name: str = "T-shirts", **extra) -> Category:
    return Category.objects.create(name=name, **extra)


def default_category() -> Category:
    return Category.objects.filter(slug="t-shirts").first() or make_category()


def make_wagtail_image(title: str = "photo", colour: str = "#336699"):
    if Collection.get_first_root_node() is None:  # a transactional test flushed the data migrations' rows
        Collection.add_root(name="Root")
    return get_image_model().objects.create(
        title=title, file=ImageFile(BytesIO(_photo_png(colour)), name=f"{title.replace(' ', '-')}.png")
    )


@functools.cache
def _photo_png(colour: str) -> bytes:
    """A 640x800 photo's file, encoded once per colour (each image still gets its own file)."""
    buffer = BytesIO()
    PIL.Image.new("RGB", (640, 800), colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_product(
    name: str | None = None,
    *,
    category: Category | None = None,
    price: str = "25.00",
    sizes: tuple[str, ...] = ("S", "M", "L"),
    colours: tuple[str, ...] = (),
    stock: int = 10,
    images: int = 0,
    **extra,
) -> Product:
    """A product with one variant per size (and colour), `stock` each, and `images` photos.

    `sizes=()` makes a product without variants, for tests that add their own (`make_variant`)."""
    product = Product.objects.create(
        name=name or f"Product {next(_seq)}",
        category=category or default_category(),
        base_price=Decimal(price),
        **extra,
    )
    for size, colour in itertools.product(sizes, colours or ("",)):
        ProductVariant.objects.create(
            product=product,
            size=size,
            colour=colour,
            sku=f"SKU-{product.pk}-{size}-{colour or 'X'}",
            stock=stock,
        )
    for i in range(images):
        ProductImage.objects.create(
            product=product,
            image=make_wagtail_image(f"{product.slug} {i}"),
            alt_text=f"{product.name}, photo {i + 1}",
            sort_order=i,
        )
    return product


def make_variant(
    product: Product | None = None,
    *,
    size: str = "M",
    colour: str = "Black",
    stock: int = 10,
    price: str | None = None,
    **extra,
) -> ProductVariant:
    """One variant; without `product`, of a new 20.00 product that has no other variant."""
    product = product or make_product(price="20.00", sizes=())
    return ProductVariant.objects.create(
        product=product,
        size=size,
        colour=colour,
        sku=f"SKU-{next(_seq)}",
        stock=stock,
        price_override=Decimal(price) if price is not None else None,
        **extra,
    )


def product_edit_data(product: Product, **overrides) -> dict:
    """The admin's product edit form as a browser would post it, every field as shown."""
    variants = [
        {
            "id": v.pk,
            "size": v.size,
            "colour": v.colour,
            "sku": v.sku,
            "stock": v.stock,
            "stock_shown": v.stock,
            "price_override": "",
            "is_active": "on",
        }
        for v in product.variants.order_by("sort_order", "pk")
    ]
    data = {
        "name": product.name,
        "category": product.category.pk,
        "base_price": str(product.base_price),
        "tax_class": product.tax_class,
        "compare_at_price": "",
        "description": rich_text(""),
        "tags": "",
        "is_active": "on",
        "variants": inline_formset(variants, initial=len(variants), min=1),
        "images": inline_formset([]),
        "slug": product.slug,
        "seo_title": "",
        "meta_description": "",
    }
    data.update(overrides)
    return nested_form_data(data)


# --- orders and payments --------------------------------------------------------------------------


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
    items = [OrderItem.snapshot(variant, quantity, order=order) for variant, quantity in lines]
    apply_vat(order, items)
    order.save(update_fields=["shipping_vat_rate", "shipping_vat", "vat_total"])
    OrderItem.objects.bulk_create(items)
    for variant, quantity in lines:
        if take_stock:
            variant.stock -= quantity
            variant.save(update_fields=["stock"])
    return order


def start_payment(order: Order) -> tuple[str, Payment]:
    """Start a payment the way checkout does; returns (where the shopper is sent, the new Payment)."""
    url = begin_payment(order, site_url=SITE_URL)
    return url, Payment.objects.filter(order=order).latest("pk")


# --- after the sale: paid, refunded, delivered; reading PDFs; racing threads ----------------------


def pay(order: Order, capture) -> Payment:
    """Pay with the test provider and run the after-commit work (invoice, email) like a request.

    `capture` is pytest-django's django_capture_on_commit_callbacks, or `committed` in
    transactional tests, where after-commit work runs by itself."""
    with capture(execute=True):
        payment = settle_test_payment(create_payment(order, "test"), succeed=True)
    order.refresh_from_db()
    return payment


def refund(payment: Payment, amount: str, capture, user=None, reason: str = "Returned"):
    with capture(execute=True):
        return refund_payment(payment, amount, reason, user)


def committed(execute: bool = True):
    """Stands in for django_capture_on_commit_callbacks where transactions really commit."""
    return contextlib.nullcontext()


def delivered_order(capture, *, stock: int = 5) -> tuple[Order, Payment, dict[str, ProductVariant]]:
    """Paid, shipped, delivered: 2 x Harbour Tee M / Navy (19.90; S and L too), 1 x Slim Jeans 32 (35)."""
    tee = make_product("Harbour Tee", price="19.90")
    medium = make_variant(tee, size="M", colour="Navy", stock=stock)
    large = make_variant(tee, size="L", colour="Navy", stock=stock)
    small = make_variant(tee, size="S", colour="Navy", stock=stock)
    jeans = make_variant(make_product("Slim Jeans", price="35.00"), size="32", colour="", stock=stock)
    order = make_order([(medium, 2), (jeans, 1)])
    payment = pay(order, capture)
    with capture(execute=True):
        mark_shipped(order, tracking_number="TRACK1")
        mark_delivered(order)
    order.refresh_from_db()
    return order, payment, {"M": medium, "L": large, "S": small, "jeans": jeans}


def pdf_text(content: bytes) -> str:
    """A PDF's text as pdftotext (poppler-utils, installed by scripts/system-deps.sh) reads it."""
    assert content.startswith(b"%PDF-")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def run_together(workers: int, work) -> list:
    """Call work(i) in `workers` threads at the same moment, each on its own connection; results or errors."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results


# --- content pages --------------------------------------------------------------------------------


def add_child(parent: Page, page: Page) -> Page:
    """`page` under `parent`, published."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def stream(*blocks) -> list[dict]:
    return [{"type": kind, "value": value} for kind, value in blocks]


def grid(product_ids=(), **extra) -> tuple[str, dict]:
    value = {"heading": "Picks", "source": "chosen", "products": list(product_ids), "limit": 8}
    value.update(extra)
    return ("product_grid", value)


def landing(parent: Page, title: str = "Summer sale", body=()) -> LandingPage:
    return add_child(parent, LandingPage(title=title, body=stream(*body)))


ADA = {
    "Email": "ada@example.com",
    "Full name": "Ada Lovelace",
    "Address": "12 St James's Square",
    "City": "London",
    "Postal code": "SW1Y 4JH",
}


def fill_checkout(page, shopper: dict[str, str] = ADA, country: str = "GB") -> None:
    """Fill the checkout form in a browser (Playwright page) by its labels, as a shopper would."""
    for label, value in shopper.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Country").select_option(country)

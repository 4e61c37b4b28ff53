"""Orders: what a shopper bought, frozen at checkout, and the history of its life."""

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from shop.core.countries import country_name
from shop.core.money import quantize
from shop.tax.services import VatSummary, summarize

if TYPE_CHECKING:
    from shop.catalog.models import Product

# No 0/O, 1/I/L: a number read out on the phone stays unambiguous.
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NUMBER_LENGTH = 10


def new_order_number() -> str:
    """Random, so numbers say nothing about sales volume and cannot be walked in sequence."""
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


def payment_deadline():
    return timezone.now() + timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    Status = OrderStatus

    number = models.CharField(max_length=16, unique=True, default=new_order_number, editable=False)
    access_key = models.CharField(max_length=64, default=new_access_key, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, db_index=True
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    discount_code = models.CharField(max_length=32, blank=True, help_text="The code as it was used.")
    discount_code_ref = models.ForeignKey(
        "discounts.DiscountCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    shipping = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    shipping_vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    shipping_vat = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    vat_total = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        help_text="VAT contained in the total: lines plus shipping.",
    )
    full_name = models.CharField(max_length=200)
    line1 = models.CharField("address", max_length=255)
    city = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    tracking_number = models.CharField(max_length=100, blank=True)
    exchange_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchanges",
        help_text="For a size exchange: the order whose goods came back; this one ships the new size free.",
    )
    stock_released = models.BooleanField(
        default=False, help_text="Set once the ordered units went back to stock, so it happens only once."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_due_at = models.DateTimeField(default=payment_deadline)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "payment_due_at"], name="orders_status_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="orders_order_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(shipping__gte=0), name="orders_order_shipping_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount") + F("shipping")),
                name="orders_order_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("subtotal")),
                name="orders_order_discount_within_subtotal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values),
                name="orders_order_status_known",
            ),
            models.CheckConstraint(
                condition=Q(shipping_vat__gte=0, shipping_vat__lte=F("shipping")),
                name="orders_order_shipping_vat_within_shipping",
            ),
            models.CheckConstraint(
                condition=Q(vat_total__gte=0, vat_total__lte=F("total")),
                name="orders_order_vat_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.number}"

    def get_absolute_url(self) -> str:
        """The guest link: works for whoever holds it, so it goes only to the order's email."""
        path = reverse("orders:detail", kwargs={"number": self.number})
        return f"{path}?{urlencode({'key': self.access_key})}"

    @property
    def amount_due(self) -> Decimal:
        return self.total

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING_PAYMENT

    @property
    def net_total(self) -> Decimal:
        return self.total - self.vat_total

    @property
    def shipping_net(self) -> Decimal:
        return self.shipping - self.shipping_vat

    def vat_summary(self, items=None) -> list[VatSummary]:
        """Net, VAT and gross per rate over the lines and shipping (pass `items` to reuse loaded lines)."""
        items = self.items.all() if items is None else items
        entries = [(item.vat_rate, item.paid_total, item.vat_amount) for item in items]
        entries.append((self.shipping_vat_rate, self.shipping, self.shipping_vat))
        return summarize(entries)


class OrderItem(models.Model):
    """One line, with snapshots: repricing or deleting the product never changes it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    variant_label = models.CharField(max_length=100)
    size = models.CharField(max_length=20)
    colour = models.CharField(max_length=40, blank=True)
    sku = models.CharField("SKU", max_length=64)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="This line's share of the order's discount.",
    )
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2, default=Decimal("0"))
    vat_amount = models.DecimalField("VAT", max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_amount__gte=0, vat_amount__lte=F("line_total")),
                name="orders_item_vat_within_line_total",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_item_price_not_negative"),
            models.CheckConstraint(
                condition=Q(line_total=F("unit_price") * F("quantity")), name="orders_item_line_total"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("line_total")),
                name="orders_item_discount_within_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name} ({self.variant_label})"

    @property
    def placed_product(self) -> "Product":
        """The product of a line being placed; only a later deletion of the product empties `product`."""
        if self.product is None:
            raise ValueError(f"Order line {self.sku} has no product.")
        return self.product

    @property
    def paid_total(self) -> Decimal:
        """What the shopper paid for this line: its total less its share of the discount."""
        return self.line_total - self.discount

    @property
    def net_total(self) -> Decimal:
        """What was paid for the line less the VAT in it."""
        return self.paid_total - self.vat_amount

    @classmethod
    def snapshot(cls, variant, quantity: int, **fields) -> "OrderItem":
        """A line that keeps what was bought as it was then: later product edits never reach it."""
        unit_price = quantize(variant.price)
        return cls(
            product=variant.product,
            variant=variant,
            product_name=variant.product.name,
            variant_label=variant.label,
            size=variant.size,
            colour=variant.colour,
            sku=variant.sku,
            unit_price=unit_price,
            quantity=quantity,
            line_total=quantize(unit_price * quantity),
            **fields,
        )


class OrderEvent(models.Model):
    """One entry of an order's history: who moved it from which status to which, and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.from_status or '-'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return Order.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Order.Status(self.to_status).label

    @property
    def who(self) -> str:
        if self.actor_id:
            return str(self.actor)
        return self.actor_label or "system"

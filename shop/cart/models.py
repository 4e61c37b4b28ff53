"""Carts: one per member, one per guest session; lines point at sellable variants."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    discount_code = models.CharField(
        max_length=32, blank=True, help_text="The code the shopper applied; re-checked at every step."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(session_key__isnull=False), name="cart_cart_has_owner"
            )
        ]

    def __str__(self) -> str:
        return f"Cart of {self.user or 'guest'}"


# The database's hard ceiling for one line; SHOP_MAX_LINE_QUANTITY (the shop's rule) must stay
# at or below it (checked at start-up), so changing the setting never needs a migration.
LINE_QUANTITY_CEILING = 99


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price_seen = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="The price when the shopper added it."
    )
    stock_seen = models.IntegerField(help_text="The stock when the shopper added it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_item_unique_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=LINE_QUANTITY_CEILING),
                name="cart_item_quantity_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"

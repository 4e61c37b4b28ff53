"""Discount codes marketers and staff run: percentage or fixed, with limits and an active window."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DiscountCode(models.Model):
    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage off"
        FIXED = "fixed", "Fixed amount off"

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="What shoppers type; letters, digits and dashes. Not case-sensitive.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="Shown to shoppers with the code.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERCENTAGE)
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Percent (e.g. 15) or an amount in the shop's currency.",
    )
    minimum_order = models.DecimalField(
        "minimum order value", max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: no end.")
    usage_limit = models.PositiveIntegerField(
        "total uses", null=True, blank=True, help_text="Orders that may use it in all. Empty: no limit."
    )
    usage_limit_per_customer = models.PositiveIntegerField(
        "uses per customer",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Orders per email address or account. Empty: no limit.",
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", help_text="Only these categories (and below)."
    )
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", help_text="Only these products."
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="discounts_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100), name="discounts_percentage_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="discounts_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.code = normalize(self.code)
        if not self.code:
            raise ValidationError({"code": "Enter letters, digits or dashes."})
        if self.kind == self.Kind.PERCENTAGE and self.value is not None and self.value > 100:
            raise ValidationError({"value": "A percentage is at most 100."})
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})

    @property
    def is_limited(self) -> bool:
        """Limited to some categories or products (uses the prefetched relations when there are some)."""
        return bool(self.categories.all()) or bool(self.products.all())


def normalize(raw: str | None) -> str:
    """Codes compare in upper case without surrounding spaces."""
    return (raw or "").strip().upper()

"""VAT rates: one per destination country and product tax class, kept by staff in the admin."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from shop.core.countries import SHIPPING_COUNTRIES, country_name


class TaxClass(models.TextChoices):
    """What kind of goods a product is, for VAT: most clothing is standard-rated."""

    STANDARD = "standard", "Standard rate"
    REDUCED = "reduced", "Reduced rate"


class VatRate(models.Model):
    country = models.CharField(max_length=2, choices=SHIPPING_COUNTRIES)
    tax_class = models.CharField(max_length=20, choices=TaxClass.choices, default=TaxClass.STANDARD)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
        help_text="Percent, e.g. 19.00. Applies to orders placed from now on; past orders keep their rate.",
    )

    class Meta:
        ordering = ["country", "tax_class"]
        verbose_name = "VAT rate"
        constraints = [
            models.UniqueConstraint(
                fields=["country", "tax_class"], name="tax_vatrate_one_per_country_class"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lt=100), name="tax_vatrate_rate_range"),
            models.CheckConstraint(
                condition=Q(tax_class__in=TaxClass.values), name="tax_vatrate_class_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{country_name(self.country)}, {self.get_tax_class_display().lower()}: {self.rate}%"

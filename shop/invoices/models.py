"""Invoices and credit notes: numbered documents that freeze what was sold and what went back.

Numbers come from DocumentSequence, one gap-free counter per series and calendar year,
taken under a row lock in the same transaction as the document (docs/invoices.md).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="doc-full")
class SellerDetails(BaseGenericSetting):
    """Who sells, as printed on every invoice; copied into each document when it is issued."""

    name = models.CharField("company name", max_length=200, default="Threadline GmbH")
    address = models.TextField(default="Musterstraße 1\n10115 Berlin\nGermany")
    vat_number = models.CharField("VAT ID", max_length=40, default="DE123456789")
    email = models.EmailField(default="orders@example.com")
    extra = models.TextField(
        "other details", blank=True, help_text="Register court and number, managing directors, bank."
    )

    class Meta:
        verbose_name = "Seller details (invoices)"

    def snapshot(self) -> dict[str, str]:
        return {
            "name": self.name,
            "address": self.address,
            "vat_number": self.vat_number,
            "email": self.email,
            "extra": self.extra,
        }


class DocumentSequence(models.Model):
    """The last number given in a series for a year; locked while the next one is taken."""

    series = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="invoices_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


class Invoice(models.Model):
    """The invoice of a paid order; its lines and addresses are the order's own snapshots."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="invoice")
    number = models.CharField(max_length=32, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    seller = models.JSONField(help_text="The seller's details as they were when it was issued.")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoices_invoice_year_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="invoices_invoice_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class CreditNote(models.Model):
    """One per refund: the amount that went back, with its VAT, against the order's invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    refund = models.OneToOneField("payments.Refund", on_delete=models.PROTECT, related_name="credit_note")
    number = models.CharField(max_length=32, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    issued_at = models.DateTimeField(default=timezone.now)
    seller = models.JSONField()

    class Meta:
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoices_creditnote_year_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoices_creditnote_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Credit note {self.number}"

"""Payments: each attempt to pay an order, every message exchanged with a provider, and refunds."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone


def new_token() -> str:
    """Unguessable: it is the only thing that opens the test provider's page for a payment."""
    return secrets.token_urlsafe(24)


class Payment(models.Model):
    """One attempt to pay one order with one provider (a retry is a new attempt)."""

    class Provider(models.TextChoices):
        TEST = "test", "Test"
        STRIPE = "stripe", "Stripe"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveIntegerField(default=1)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    provider_reference = models.CharField(
        max_length=255,
        blank=True,
        help_text="The provider's id of the checkout (Stripe: the Checkout Session).",
    )
    provider_payment_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The provider's id of the money movement (Stripe: PaymentIntent).",
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_payment_amount_not_negative"),
            models.UniqueConstraint(fields=["order", "attempt"], name="payments_payment_one_per_attempt"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payments_payment_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} payment {self.pk} for order {self.order_id}"

    @property
    def refunded_amount(self) -> Decimal:
        """Money already gone back (or on its way): what can no longer be refunded.

        Counted from prefetched refunds when there are some (the admin panel), else in the database.
        """
        if "refunds" in getattr(self, "_prefetched_objects_cache", {}):
            kept = (r.amount for r in self.refunds.all() if r.status != Refund.Status.FAILED)
            return sum(kept, Decimal("0.00"))
        total = self.refunds.exclude(status=Refund.Status.FAILED).aggregate(s=Sum("amount"))["s"]
        return total or Decimal("0.00")

    @property
    def refundable_amount(self) -> Decimal:
        if self.status != self.Status.PAID:
            return Decimal("0.00")
        return self.amount - self.refunded_amount


class PaymentLog(models.Model):
    """Every message to and from a provider. An incoming event id is stored once, so it is acted on once."""

    class Direction(models.TextChoices):
        IN = "in", "From provider"
        OUT = "out", "To provider"

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        DEFERRED = "deferred", "Deferred until the payment is known"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    provider = models.CharField(max_length=20, choices=Payment.Provider.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    event_id = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(max_length=100, blank=True)
    object_reference = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="Provider id a deferred event waits for."
    )
    payload = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PROCESSED)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], condition=~Q(event_id=""), name="payments_log_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.direction} {self.event_type or self.event_id}"


class Refund(models.Model):
    """Money sent back for a payment, whole or part; asked for by staff or made at the provider."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["payment", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payments_refund_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.amount} on payment {self.payment_id}"

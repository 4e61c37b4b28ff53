"""Returns and size exchanges: what a customer sends back, why, and what staff did with it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="redirect")
class ReturnSettings(BaseGenericSetting):
    window_days = models.PositiveIntegerField(
        "return window (days)",
        default=30,
        help_text="Days after the parcel left during which customers may ask for a return; 0 closes returns.",
    )

    class Meta:
        verbose_name = "Returns"


class ReturnReason(models.TextChoices):
    TOO_SMALL = "too_small", "Too small"
    TOO_LARGE = "too_large", "Too large"
    NOT_AS_PICTURED = "not_as_pictured", "Not as pictured"
    FAULTY = "faulty", "Faulty or damaged"
    CHANGED_MIND = "changed_mind", "Changed my mind"


SIZE_REASONS = (ReturnReason.TOO_SMALL, ReturnReason.TOO_LARGE)


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    RECEIVED = "received", "Received"
    COMPLETED = "completed", "Completed"


class ReturnRequest(models.Model):
    Status = ReturnStatus

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    staff_note = models.TextField(blank=True)
    restocked = models.BooleanField(default=False, help_text="Set once the units went back to stock.")
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    refund = models.OneToOneField(
        "payments.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="return_request"
    )
    exchange_order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="exchange_return"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="returns_status_known"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="returns_refund_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Return {self.pk} of order {self.order.number}"

    @property
    def label(self) -> str:
        return f"Return {self.pk}"


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=30, choices=ReturnReason.choices)
    wanted_variant = models.ForeignKey(
        "catalog.ProductVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an exchange: the size wanted instead.",
    )
    exchanged = models.BooleanField(default=False, help_text="The new size was sent (else refunded).")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="returns_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item.product_name}"

    @property
    def is_exchange(self) -> bool:
        return self.wanted_variant_id is not None

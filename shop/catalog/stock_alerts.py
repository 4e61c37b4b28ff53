"""Back-in-stock alerts: a shopper leaves an email on a sold-out variant and gets one email when
it is back. Rules in docs/catalog.md ("Back in stock").

Stock rises in two places (staff edits, orders.services._restock); both call
`notify_after_commit`, so the email goes only once the stock change is committed. Each
pending alert is claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked sent in the
same short transaction as its email: two senders never send it twice, and a failed send
is rolled back and retried by the next stock change or `send_stock_alerts`.
"""

import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class StockAlert(models.Model):
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="stock_alerts"
    )
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["variant", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "email"],
                condition=Q(sent_at__isnull=True),
                name="catalog_one_pending_alert",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.variant_id}"

    @property
    def unsubscribe_url(self) -> str:
        return reverse("catalog:stock_alert_unsubscribe", kwargs={"token": self.token})


class AlertError(ValueError):
    """Shown to the shopper as it is."""


def request_alert(variant, raw_email: str) -> StockAlert:
    """One pending alert per variant and email; asking again changes nothing."""
    email = (raw_email or "").strip()
    try:
        validate_email(email)
    except Exception as error:
        raise AlertError("Enter a valid email address.") from error
    if variant.is_available:
        raise AlertError(f"{variant.product.name} ({variant.label}) is in stock: you can order it now.")
    existing = StockAlert.objects.filter(variant=variant, email__iexact=email, sent_at=None).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StockAlert.objects.create(variant=variant, email=email)
    except IntegrityError:  # the same request twice at once
        return StockAlert.objects.get(variant=variant, email=email, sent_at=None)


def unsubscribe(token: str) -> int:
    """Cancel every pending alert of the email address this token was sent to; returns how many."""
    alert = StockAlert.objects.filter(token=token).first()
    if alert is None:
        return 0
    return StockAlert.objects.filter(email__iexact=alert.email, sent_at=None).delete()[0]


def notify_after_commit(variant_ids: Iterable[int]) -> None:
    ids = sorted(set(variant_ids))
    if ids:
        transaction.on_commit(lambda: send_alerts(ids))


def send_alerts(variant_ids: Iterable[int] | None = None) -> int:
    """Send the pending alerts of variants that are back in stock (all variants when None)."""
    sent = 0
    while True:
        with transaction.atomic():
            alerts = StockAlert.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                sent_at=None,
                variant__stock__gt=0,
                variant__is_active=True,
                variant__product__is_active=True,
                variant__product__deleted_at=None,
            )
            if variant_ids is not None:
                alerts = alerts.filter(variant_id__in=list(variant_ids))
            alert = alerts.select_related("variant__product").order_by("pk").first()
            if alert is None:
                return sent
            _send(alert)
            alert.sent_at = timezone.now()
            alert.save(update_fields=["sent_at"])
            sent += 1


def _send(alert: StockAlert) -> None:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    product = alert.variant.product
    context = {
        "product": product,
        "variant": alert.variant,
        "product_url": base + product.get_absolute_url(),
        "unsubscribe_url": base + alert.unsubscribe_url,
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }
    send_mail(
        subject=f"Back in stock: {product.name} ({alert.variant.label})",
        message=render_to_string("catalog/email/back_in_stock.txt", context),
        from_email=None,
        recipient_list=[alert.email],
    )

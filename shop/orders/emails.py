"""Order emails, rendered from templates/orders/email/ and sent through Django's email backend."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Order

logger = logging.getLogger(__name__)


def _send(order: Order, template: str, subject: str) -> None:
    items = list(order.items.all())
    context = {
        "order": order,
        "items": items,
        "vat_summary": order.vat_summary(items),
        "order_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + order.get_absolute_url(),
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"orders/email/{template}.txt", context),
        to=[order.email],
    )
    message.attach_alternative(render_to_string(f"orders/email/{template}.html", context), "text/html")
    message.send()


def send_order_confirmation(order: Order) -> None:
    _send(order, "confirmation", f"Your {settings.WAGTAIL_SITE_NAME} order {order.number} is confirmed")


def send_shipping_notice(order: Order) -> None:
    _send(order, "shipped", f"Your {settings.WAGTAIL_SITE_NAME} order {order.number} is on its way")


def on_status_changed(sender, order: Order, from_status: str, to_status: str, **kwargs) -> None:
    """Confirm once paid, tell when shipped; runs after commit, so a rolled-back change sends nothing."""
    if to_status == Order.Status.PAID:
        send_order_confirmation(order)
    elif to_status == Order.Status.SHIPPED:
        send_shipping_notice(order)

"""What payments do when an order changes (orders send the signal and never import payments)."""

from django.dispatch import receiver

from shop.orders.models import Order
from shop.orders.signals import order_status_changed

from . import services


@receiver(order_status_changed, dispatch_uid="payments_release_checkouts")
def release_checkouts_of_cancelled_order(
    sender, order: Order, from_status: str, to_status: str, **kwargs
) -> None:
    if from_status == Order.Status.PENDING_PAYMENT and to_status == Order.Status.CANCELLED:
        services.release_checkouts(order)

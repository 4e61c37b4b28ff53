"""Documents follow facts other apps record: an order paid, a refund through.

They are issued after those commit, in their own transaction, so a failure here never
undoes a payment or a refund; a missed document is issued when first asked for
(`invoice_for`, `issue_missing_credit_notes`).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from shop.orders.models import Order
from shop.orders.signals import order_status_changed
from shop.payments.models import Refund

from . import services

logger = logging.getLogger(__name__)


def on_order_status_changed(sender, order: Order, from_status: str, to_status: str, **kwargs) -> None:
    if to_status == Order.Status.PAID:
        services.issue_invoice(order)


def on_refund_saved(sender, instance: Refund, **kwargs) -> None:
    if instance.status != Refund.Status.SUCCEEDED:
        return

    def issue() -> None:
        try:
            services.issue_credit_note(instance)
        except Exception:
            logger.exception("Credit note for refund %s not issued; it will be on first view.", instance.pk)

    transaction.on_commit(issue)


def connect() -> None:
    order_status_changed.connect(on_order_status_changed, dispatch_uid="invoices_issue_invoice")
    post_save.connect(on_refund_saved, sender=Refund, dispatch_uid="invoices_issue_credit_note")

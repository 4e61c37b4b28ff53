"""Row locks of the payments app. A payment is always locked before its order (`lock_order`)."""

from .models import Payment


def lock_payment(payment: Payment) -> Payment:
    """The payment row, locked, with its order read (not locked); must run inside a transaction."""
    return Payment.objects.select_for_update().select_related("order").get(pk=payment.pk)

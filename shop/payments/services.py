"""Provider-neutral payment state: starting an attempt, and what any provider tells us about it.

Every provider message that changes something goes through `record_event` first: the
event id is inserted under the same transaction as its effects, so a replay finds the row
and changes nothing. The test provider's buttons and Stripe's webhook
(`providers/stripe_events.py`) end in the same functions (`confirm_payment`, `fail_payment`,
`expire_payment`, and `refunds.apply_provider_refunds`).
"""

import logging
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from shop.core.money import format_money, quantize
from shop.orders.locks import lock_order
from shop.orders.models import Order
from shop.orders.payment import PaymentUnavailable
from shop.orders.services import TransitionNotAllowed, cancel_order, extend_payment_deadline, mark_paid

from .locks import lock_payment
from .models import Payment, PaymentLog
from .providers import ProviderError, ProviderUnavailable, get_provider
from .providers.testing import DISABLED_MESSAGE, test_payments_allowed
from .refunds import refund_in_full_after_commit

logger = logging.getLogger(__name__)

S = Order.Status
TEST_LABEL = "test payment"
NOT_STARTED_MESSAGE = "The payment could not be started. Your order is saved; please try again."
LATE_REFUND_REASON = "The order was cancelled before the payment arrived."
DUPLICATE_REFUND_REASON = "The order was already paid by another payment."


class PaymentMismatch(ValueError):
    """The provider reports an amount or currency other than the order's: never marked paid."""


# --- starting a payment -------------------------------------------------------------------------


def begin_payment(order: Order, *, site_url: str) -> str:
    """Checkout's hand-off (settings.SHOP_PAYMENT_HANDOFF): a new attempt; returns where the shopper goes.

    `site_url` is the absolute address of the site's root, for the provider's return links.
    Raises PaymentUnavailable when the provider cannot take it; the order stays pending.
    """
    if order.status != S.PENDING_PAYMENT:
        return order.get_absolute_url()
    try:
        provider = get_provider()
        provider.check_available()
    except ProviderUnavailable as exc:
        raise PaymentUnavailable(str(exc)) from exc
    payment = create_payment(order, provider.name)
    success_url = urljoin(site_url, reverse("payments:return", kwargs={"token": payment.token}))
    cancel_url = urljoin(site_url, order.get_absolute_url())
    try:
        start = provider.start_checkout(payment, success_url=success_url, cancel_url=cancel_url)
    except ProviderError as exc:
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED, failure_message=str(exc))
        message = str(exc) if isinstance(exc, ProviderUnavailable) else NOT_STARTED_MESSAGE
        raise PaymentUnavailable(message) from exc
    if start.reference:
        Payment.objects.filter(pk=payment.pk).update(provider_reference=start.reference)
    if start.expires_at and start.expires_at > order.payment_due_at:
        # The order stays payable while its checkout is open, so expiry never cancels it under the shopper.
        extend_payment_deadline(order, start.expires_at)
    # One open checkout per order: an older tab can no longer take a second payment.
    _close_checkouts(order.payments.filter(pk__lt=payment.pk))
    return start.redirect_url


@transaction.atomic
def create_payment(order: Order, provider: str) -> Payment:
    """A new attempt for the order's amount due, numbered under the order's lock."""
    locked = lock_order(order.pk)
    if locked.status != S.PENDING_PAYMENT:
        raise PaymentUnavailable("This order can no longer be paid.")
    last = locked.payments.aggregate(n=Max("attempt"))["n"] or 0
    return Payment.objects.create(
        order=locked,
        attempt=last + 1,
        provider=provider,
        amount=locked.amount_due,
        currency=locked.currency,
    )


# --- what a provider tells us -------------------------------------------------------------------


def record_event(
    *, provider: str, event_id: str, event_type: str, payload: dict[str, Any], payment: Payment | None = None
) -> PaymentLog | None:
    """Insert the event first; None when it was already stored (a replay). Call inside a transaction."""
    try:
        with transaction.atomic():
            return PaymentLog.objects.create(
                provider=provider,
                direction=PaymentLog.Direction.IN,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                payment=payment,
            )
    except IntegrityError:
        return None


def confirm_payment(
    payment: Payment, *, amount: Decimal, currency: str, reference: str = "", actor_label: str
) -> Payment:
    """The provider says the money arrived: check it against the order, then mark the order paid.

    Money the shop cannot keep is recorded on the payment and refunded in full after commit:
    money for an order cancelled meanwhile (expired), and a second payment for an order another
    attempt already paid (an old tab's session paid after "Pay now", or two tabs at once).
    """
    with transaction.atomic():
        locked = lock_payment(payment)
        order = lock_order(locked.order_id)
        locked.order = order
        if currency.upper() != order.currency.upper() or quantize(amount) != quantize(order.total):
            message = (
                f"Provider reported {format_money(amount, currency.upper())} for order {order.number}, "
                f"which is due {format_money(order.total, order.currency)}."
            )
            raise PaymentMismatch(message)
        newly_paid = locked.status != Payment.Status.PAID
        if newly_paid:
            locked.status = Payment.Status.PAID
            locked.paid_at = timezone.now()
            locked.failure_message = ""
            if reference:
                locked.provider_payment_id = reference
            locked.save()
        paid_by_another = order.payments.filter(status=Payment.Status.PAID).exclude(pk=locked.pk).exists()
        if newly_paid and paid_by_another:
            logger.warning(
                "Payment %s arrived for order %s, already paid by another payment; refunding it",
                locked.pk,
                order.number,
            )
            refund_in_full_after_commit(locked, DUPLICATE_REFUND_REASON)
            return locked
        try:
            mark_paid(order, actor_label=actor_label, reference=reference or locked.provider_reference)
        except TransitionNotAllowed:
            logger.warning(
                "Payment %s arrived for order %s which is %s", locked.pk, order.number, order.status
            )
            refund_in_full_after_commit(locked, LATE_REFUND_REASON)
    return locked


@transaction.atomic
def fail_payment(payment: Payment, *, message: str) -> Payment:
    """A payment attempt failed; the order stays pending so the shopper can try again."""
    locked = lock_payment(payment)
    if locked.status == Payment.Status.PENDING:
        locked.status = Payment.Status.FAILED
        locked.failure_message = message[:1000]
        locked.save(update_fields=["status", "failure_message", "updated_at"])
    return locked


@transaction.atomic
def expire_payment(payment: Payment, *, actor_label: str) -> Payment:
    """The provider's checkout expired: cancel the order if nothing else can still pay it."""
    locked = lock_payment(payment)
    order = lock_order(locked.order_id)
    locked.order = order
    if locked.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        locked.status = Payment.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
    still_open = order.payments.filter(status__in=(Payment.Status.PENDING, Payment.Status.PAID)).exists()
    if order.status == S.PENDING_PAYMENT and not still_open:
        try:
            cancel_order(order, actor_label=actor_label, note="The checkout expired without payment.")
        except TransitionNotAllowed:
            logger.info("Order %s changed before its checkout expired", order.number)
    return locked


# --- the test provider ------------------------------------------------------------------------


def settle_test_payment(payment: Payment, *, succeed: bool) -> Payment:
    """The test page's Pay or Fail button, taken the way a provider's confirmation would be."""
    if not test_payments_allowed():
        raise ProviderUnavailable(DISABLED_MESSAGE)
    action = "paid" if succeed else "failed"
    with transaction.atomic():
        log = record_event(
            provider=Payment.Provider.TEST,
            event_id=f"test_{payment.token}_{action}",
            event_type=f"payment.{action}",
            payload={"payment": payment.pk, "amount": str(payment.amount), "currency": payment.currency},
            payment=payment,
        )
        if log is None:
            return payment
        if succeed:
            return confirm_payment(
                payment,
                amount=payment.amount,
                currency=payment.currency,
                reference=f"test_{payment.token[:12]}",
                actor_label=TEST_LABEL,
            )
        return fail_payment(payment, message="Declined on the test payment page.")


# --- when an order is cancelled -----------------------------------------------------------------


def release_checkouts(order: Order) -> int:
    """An unpaid order was cancelled: close its open checkouts so nobody pays it. Never raises."""
    return _close_checkouts(order.payments.all())


def _close_checkouts(payments: QuerySet[Payment]) -> int:
    """Mark the open attempts among `payments` cancelled and close them at their provider (best effort)."""
    open_payments = list(payments.filter(status__in=(Payment.Status.PENDING, Payment.Status.FAILED)))
    Payment.objects.filter(pk__in=[p.pk for p in open_payments]).update(status=Payment.Status.CANCELLED)
    for payment in open_payments:
        try:
            get_provider(payment.provider).cancel_checkout(payment)
        except Exception:
            logger.exception("Could not close checkout of payment %s", payment.pk)
    return len(open_payments)

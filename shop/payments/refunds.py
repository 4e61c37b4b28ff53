"""Refunds: staff send money back through the provider; the provider tells us about refunds.

The order follows its payments: it is refunded (or cancelled, when staff ask and it has not
shipped) once every payment it captured has gone back (`_settle_order`).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from shop.accounts.models import User
from shop.core.money import format_money, quantize
from shop.orders.models import Order
from shop.orders.services import TransitionNotAllowed, cancel_order, mark_refunded

from .locks import lock_payment
from .models import Payment, Refund
from .providers import ProviderError, get_provider

logger = logging.getLogger(__name__)

S = Order.Status
REFUNDABLE_ORDER_STATUSES = (S.PAID, S.SHIPPED, S.DELIVERED)
PROVIDER_REFUND_REASON = "Refunded at the payment provider."


class RefundNotAllowed(ValueError):
    """A refund the rules refuse; the message says why, for staff."""


@dataclass(frozen=True)
class ProviderRefund:
    """One refund as the provider reports it, in the shop's money."""

    reference: str
    amount: Decimal
    status: str
    refund_id: int | None = None  # ours, when the provider echoes it back in metadata


def parse_refund_amount(value: Decimal | str) -> Decimal:
    """A positive amount with at most two decimal places, or a clear error."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise RefundNotAllowed("Enter the amount to refund as a number, e.g. 12.50.") from exc
    if not amount.is_finite() or amount <= 0:
        raise RefundNotAllowed("The amount to refund must be more than zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise RefundNotAllowed("The amount to refund can have at most two decimal places.")
    return quantize(amount)


def refund_payment(
    payment: Payment, amount: Decimal | str, reason: str, requested_by: User | None, *, cancel: bool = False
) -> Refund:
    """Send part or all of a paid payment back through its provider and record it.

    The Refund row is committed as pending before the provider is called, so two staff
    refunding at once can never send back more than was paid. With `cancel`, a full refund of
    an order that has not shipped cancels it (and restocks) instead of marking it refunded.
    """
    amount = parse_refund_amount(amount)
    with transaction.atomic():
        locked = lock_payment(payment)
        order = locked.order
        if locked.status != Payment.Status.PAID:
            raise RefundNotAllowed("Only a paid payment can be refunded.")
        left = locked.refundable_amount
        if amount > left:
            raise RefundNotAllowed(
                f"Only {format_money(left, locked.currency)} of this payment can still be refunded; "
                f"{format_money(amount, locked.currency)} is more than that."
            )
        if cancel and (order.status != S.PAID or amount != left):
            raise RefundNotAllowed(
                "Only an order that is paid and not shipped can be cancelled, with a full refund."
            )
        refund = Refund.objects.create(
            payment=locked, amount=amount, reason=reason.strip(), requested_by=requested_by
        )
    try:
        result = get_provider(locked.provider).refund(refund)
    except ProviderError as exc:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        raise RefundNotAllowed(
            f"The payment provider did not refund: {exc} Nothing was recorded as refunded."
        ) from exc
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.provider_reference = result.reference
        if result.succeeded:
            refund.status = Refund.Status.SUCCEEDED
        elif not result.pending:
            refund.status = Refund.Status.FAILED
        refund.save()
    if refund.status == Refund.Status.SUCCEEDED:
        label = "refund" if requested_by is None else ""
        try:
            with transaction.atomic():
                _settle_order(lock_payment(locked), actor=requested_by, actor_label=label, cancel=cancel)
        except TransitionNotAllowed:
            logger.warning("Refund %s made, but order %s could not follow", refund.pk, order.number)
    return refund


def refund_in_full_after_commit(payment: Payment, reason: str) -> None:
    """Money the shop cannot keep goes back once the caller's transaction commits.

    Once: nothing is sent when a refund of this payment exists already (a replayed confirmation).
    """
    if not payment.refunds.exists():
        transaction.on_commit(lambda: _refund_in_full(payment, reason))


def _refund_in_full(payment: Payment, reason: str) -> None:
    try:
        refund_payment(payment, payment.amount, reason, None)
    except (RefundNotAllowed, ProviderError):
        logger.exception("Could not refund payment %s automatically (%s)", payment.pk, reason)


@transaction.atomic
def apply_provider_refunds(
    payment: Payment,
    refunds: Iterable[ProviderRefund],
    *,
    refunded_total: Decimal | None = None,
    fallback_reference: str = "",
    actor_label: str,
) -> Payment:
    """Bring our Refund rows in line with the provider's, then refund the order when it is whole.

    Refunds made outside the shop (the provider's dashboard) become rows of their own; when the
    provider gives only a total, the difference is recorded once under `fallback_reference`.
    """
    locked = lock_payment(payment)
    for item in refunds:
        row = locked.refunds.filter(provider_reference=item.reference).first()
        if row is None and item.refund_id:
            row = locked.refunds.filter(pk=item.refund_id, provider_reference="").first()
        if row is None:
            row = Refund(payment=locked, reason=PROVIDER_REFUND_REASON)
        row.provider_reference = item.reference
        row.amount = item.amount
        row.status = item.status
        row.save()
    if refunded_total is not None:
        known = locked.refunds.exclude(status=Refund.Status.FAILED).aggregate(s=Sum("amount"))["s"] or 0
        if (
            refunded_total > known
            and not locked.refunds.filter(provider_reference=fallback_reference).exists()
        ):
            Refund.objects.create(
                payment=locked,
                amount=refunded_total - known,
                reason=PROVIDER_REFUND_REASON,
                provider_reference=fallback_reference,
                status=Refund.Status.SUCCEEDED,
            )
    _settle_order(locked, actor=None, actor_label=actor_label)
    return locked


def _settle_order(
    payment: Payment, *, actor: User | None, actor_label: str, cancel: bool = False, note: str = ""
) -> None:
    """The order is refunded (or cancelled, when asked and not shipped) once all it was paid went back.

    Compared with what its paid payments captured, not with the order total: refunding a duplicate
    payment in full leaves the order paid by the other one. Call with the payment locked.
    """
    order = payment.order
    captured = order.payments.filter(status=Payment.Status.PAID).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    back = Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    if captured <= 0 or back < captured or order.status not in REFUNDABLE_ORDER_STATUSES:
        return
    note = note or f"Refunded {format_money(back, order.currency)} in full."
    if cancel and order.status == S.PAID:
        cancel_order(order, actor=actor, actor_label=actor_label, note=note, refunded=True)
    else:
        mark_refunded(order, actor=actor, actor_label=actor_label, note=note)

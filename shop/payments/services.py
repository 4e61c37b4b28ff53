"""Payment rules: starting a payment, what a provider tells us, refunds.

Every provider message that changes something goes through `record_event` first: the
event id is inserted under the same transaction as its effects, so a replay finds the row
and changes nothing. The test provider's buttons and Stripe's webhook end in the same
functions (`confirm_payment`, `fail_payment`, `expire_payment`, `apply_provider_refunds`).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from shop.core.money import format_money, from_minor_units, quantize
from shop.orders.locks import lock_order
from shop.orders.models import Order
from shop.orders.payment import PaymentUnavailable
from shop.orders.services import (
    TransitionNotAllowed,
    cancel_order,
    extend_payment_deadline,
    mark_paid,
    mark_refunded,
)

from .models import Payment, PaymentLog, Refund
from .providers import ProviderError, ProviderUnavailable, get_provider
from .providers.testing import DISABLED_MESSAGE, test_payments_allowed

logger = logging.getLogger(__name__)

S = Order.Status
WEBHOOK_LABEL = "stripe webhook"
TEST_LABEL = "test payment"
NOT_STARTED_MESSAGE = "The payment could not be started. Your order is saved; please try again."
LATE_REFUND_REASON = "The order was cancelled before the payment arrived."
DUPLICATE_REFUND_REASON = "The order was already paid by another payment."
REFUNDABLE_ORDER_STATUSES = (S.PAID, S.SHIPPED, S.DELIVERED)


class PaymentMismatch(ValueError):
    """The provider reports an amount or currency other than the order's: never marked paid."""


class RefundNotAllowed(ValueError):
    """A refund the rules refuse; the message says why, for staff."""


# --- starting a payment -------------------------------------------------------------------------


def begin_payment(request: HttpRequest, order: Order) -> HttpResponse:
    """Checkout's hand-off (settings.SHOP_PAYMENT_HANDOFF): a new attempt, then off to the provider.

    Raises PaymentUnavailable when the provider cannot take it; the order stays pending.
    """
    if order.status != S.PENDING_PAYMENT:
        return HttpResponseRedirect(order.get_absolute_url())
    try:
        provider = get_provider()
        provider.check_available()
    except ProviderUnavailable as exc:
        raise PaymentUnavailable(str(exc)) from exc
    payment = create_payment(order, provider.name)
    success_url = request.build_absolute_uri(reverse("payments:return", kwargs={"token": payment.token}))
    cancel_url = request.build_absolute_uri(order.get_absolute_url())
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
    response = HttpResponseRedirect(start.redirect_url)
    response.status_code = 303
    return response


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


def _locked_payment(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().select_related("order").get(pk=payment.pk)


def confirm_payment(
    payment: Payment, *, amount: Decimal, currency: str, reference: str = "", actor_label: str
) -> Payment:
    """The provider says the money arrived: check it against the order, then mark the order paid.

    Money the shop cannot keep is recorded on the payment and refunded in full after commit:
    money for an order cancelled meanwhile (expired), and a second payment for an order another
    attempt already paid (an old tab's session paid after "Pay now", or two tabs at once).
    """
    with transaction.atomic():
        locked = _locked_payment(payment)
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
            _refund_in_full_after_commit(locked, DUPLICATE_REFUND_REASON)
            return locked
        try:
            mark_paid(order, actor_label=actor_label, reference=reference or locked.provider_reference)
        except TransitionNotAllowed:
            logger.warning(
                "Payment %s arrived for order %s which is %s", locked.pk, order.number, order.status
            )
            _refund_in_full_after_commit(locked, LATE_REFUND_REASON)
    return locked


def _refund_in_full_after_commit(payment: Payment, reason: str) -> None:
    """Once, unless a refund of this payment exists already (a replayed confirmation)."""
    if not payment.refunds.exists():
        transaction.on_commit(lambda: _refund_in_full(payment, reason))


def _refund_in_full(payment: Payment, reason: str) -> None:
    try:
        refund_payment(payment, payment.amount, reason, None)
    except (RefundNotAllowed, ProviderError):
        logger.exception("Could not refund payment %s automatically (%s)", payment.pk, reason)


@transaction.atomic
def fail_payment(payment: Payment, *, message: str) -> Payment:
    """A payment attempt failed; the order stays pending so the shopper can try again."""
    locked = _locked_payment(payment)
    if locked.status == Payment.Status.PENDING:
        locked.status = Payment.Status.FAILED
        locked.failure_message = message[:1000]
        locked.save(update_fields=["status", "failure_message", "updated_at"])
    return locked


@transaction.atomic
def expire_payment(payment: Payment, *, actor_label: str) -> Payment:
    """The provider's checkout expired: cancel the order if nothing else can still pay it."""
    locked = _locked_payment(payment)
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


@dataclass(frozen=True)
class ProviderRefund:
    reference: str
    amount: Decimal
    status: str
    refund_id: int | None = None  # ours, when the provider echoes it back in metadata


@transaction.atomic
def apply_provider_refunds(
    payment: Payment,
    refunds: Iterable[ProviderRefund],
    *,
    refunded_total: Decimal | None = None,
    fallback_reference: str = "",
    actor_label: str = WEBHOOK_LABEL,
) -> Payment:
    """Bring our Refund rows in line with the provider's, then refund the order when it is whole.

    Refunds made outside the shop (the provider's dashboard) become rows of their own; when the
    provider gives only a total, the difference is recorded once under `fallback_reference`.
    """
    locked = _locked_payment(payment)
    for item in refunds:
        row = locked.refunds.filter(provider_reference=item.reference).first()
        if row is None and item.refund_id:
            row = locked.refunds.filter(pk=item.refund_id, provider_reference="").first()
        if row is None:
            row = Refund(payment=locked, reason="Refunded at the payment provider.")
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
                reason="Refunded at the payment provider.",
                provider_reference=fallback_reference,
                status=Refund.Status.SUCCEEDED,
            )
    _settle_order(locked, actor=None, actor_label=actor_label)
    return locked


def _settle_order(payment: Payment, *, actor, actor_label: str, cancel: bool = False, note: str = "") -> None:
    """The order is refunded (or cancelled, when asked and not shipped) once all it was paid went back.

    Compared with what its paid payments captured, not with the order total: refunding a duplicate
    payment in full leaves the order paid by the other one.
    """
    order = payment.order
    captured = order.payments.filter(status=Payment.Status.PAID).aggregate(s=Sum("amount"))["s"] or 0
    back = (
        Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    if captured <= 0 or back < captured or order.status not in REFUNDABLE_ORDER_STATUSES:
        return
    note = note or f"Refunded {format_money(back, order.currency)} in full."
    if cancel and order.status == S.PAID:
        cancel_order(order, actor=actor, actor_label=actor_label, note=note, refunded=True)
    else:
        mark_refunded(order, actor=actor, actor_label=actor_label, note=note)


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


# --- Stripe events ------------------------------------------------------------------------------


def handle_stripe_event(event: dict[str, Any]) -> PaymentLog | None:
    """Act on one verified Stripe event, once. Returns its log row, or None for a replay.

    Rule for events out of order: a refund reported before the payment is known to be paid is
    stored as deferred and applied when `checkout.session.completed` arrives.
    """
    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    if not event_id:
        raise ValueError("A Stripe event without an id.")
    with transaction.atomic():
        log = record_event(
            provider=Payment.Provider.STRIPE, event_id=event_id, event_type=event_type, payload=event
        )
        if log is None:
            return None
        _dispatch(log)
    return log


def _dispatch(log: PaymentLog) -> None:
    handler = STRIPE_HANDLERS.get(log.event_type)
    obj = (log.payload.get("data") or {}).get("object")
    if handler is None or not isinstance(obj, dict):
        outcome, message = PaymentLog.Outcome.IGNORED, "Event type not handled."
    else:
        try:
            outcome, message = handler(log, obj)
        except (PaymentMismatch, TransitionNotAllowed) as exc:
            outcome, message = PaymentLog.Outcome.REJECTED, str(exc)
            logger.error("Stripe event %s rejected: %s", log.event_id, exc)
            if log.payment_id:
                Payment.objects.filter(pk=log.payment_id).update(failure_message=message)
    log.outcome = outcome
    log.message = message
    log.save(update_fields=["outcome", "message", "payment"])


def _payment_for_session(obj: dict[str, Any]) -> Payment | None:
    payment = Payment.objects.filter(
        provider=Payment.Provider.STRIPE, provider_reference=obj.get("id") or ""
    ).first()
    return payment or _payment_from_metadata(obj)


def _payment_from_metadata(obj: dict[str, Any]) -> Payment | None:
    payment_id = str((obj.get("metadata") or {}).get("payment_id") or "")
    if not payment_id.isdigit():
        return None
    return Payment.objects.filter(provider=Payment.Provider.STRIPE, pk=int(payment_id)).first()


def _payment_for_intent(intent_id: str, obj: dict[str, Any]) -> Payment | None:
    if intent_id:
        payment = Payment.objects.filter(
            provider=Payment.Provider.STRIPE, provider_payment_id=intent_id
        ).first()
        if payment:
            return payment
    return _payment_from_metadata(obj)


Outcome = tuple[str, str]


def _on_session_completed(log: PaymentLog, session: dict[str, Any]) -> Outcome:
    payment = _payment_for_session(session)
    if payment is None:
        return PaymentLog.Outcome.IGNORED, "No payment of this shop has this checkout session."
    log.payment = payment
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return (
            PaymentLog.Outcome.IGNORED,
            f"Session complete, payment status {session.get('payment_status')}.",
        )
    amount_total = session.get("amount_total")
    if not isinstance(amount_total, int):
        raise PaymentMismatch("The session has no amount_total.")
    if str(session.get("client_reference_id") or "") != payment.order.number:
        raise PaymentMismatch(f"The session belongs to order {session.get('client_reference_id')!r}.")
    payment = confirm_payment(
        payment,
        amount=from_minor_units(amount_total),
        currency=str(session.get("currency") or ""),
        reference=str(session.get("payment_intent") or ""),
        actor_label=WEBHOOK_LABEL,
    )
    replayed = _replay_deferred(payment)
    return (
        PaymentLog.Outcome.PROCESSED,
        f"Paid; {replayed} deferred event(s) applied." if replayed else "Paid.",
    )


def _replay_deferred(payment: Payment) -> int:
    if not payment.provider_payment_id:
        return 0
    waiting = PaymentLog.objects.select_for_update().filter(
        provider=Payment.Provider.STRIPE,
        outcome=PaymentLog.Outcome.DEFERRED,
        object_reference=payment.provider_payment_id,
    )
    count = 0
    for log in waiting.order_by("created_at", "pk"):
        _dispatch(log)
        count += 1
    return count


def _on_session_expired(log: PaymentLog, session: dict[str, Any]) -> Outcome:
    payment = _payment_for_session(session)
    if payment is None:
        return PaymentLog.Outcome.IGNORED, "No payment of this shop has this checkout session."
    log.payment = payment
    payment = expire_payment(payment, actor_label=WEBHOOK_LABEL)
    return PaymentLog.Outcome.PROCESSED, f"Checkout expired; order is {payment.order.get_status_display()}."


def _on_payment_failed(log: PaymentLog, intent: dict[str, Any]) -> Outcome:
    payment = _payment_for_intent(str(intent.get("id") or ""), intent)
    if payment is None:
        return PaymentLog.Outcome.IGNORED, "No payment of this shop has this payment intent."
    log.payment = payment
    error = intent.get("last_payment_error") or {}
    fail_payment(payment, message=str(error.get("message") or "The payment failed."))
    return PaymentLog.Outcome.PROCESSED, "Payment attempt failed; the order stays pending."


def _on_charge_refunded(log: PaymentLog, charge: dict[str, Any]) -> Outcome:
    intent_id = str(charge.get("payment_intent") or "")
    payment = _payment_for_intent(intent_id, charge)
    if payment is None or payment.status != Payment.Status.PAID:
        log.payment = payment
        log.object_reference = intent_id
        log.save(update_fields=["object_reference"])
        return (
            PaymentLog.Outcome.DEFERRED,
            "Refund reported before the payment was confirmed; applied once it is.",
        )
    log.payment = payment
    if str(charge.get("currency") or "").upper() != payment.currency.upper():
        raise PaymentMismatch(f"Refund in {charge.get('currency')!r}, payment in {payment.currency}.")
    listed = (charge.get("refunds") or {}).get("data") or []
    apply_provider_refunds(
        payment,
        [_provider_refund(item) for item in listed if item.get("id")],
        refunded_total=from_minor_units(int(charge.get("amount_refunded") or 0)),
        fallback_reference=f"{charge.get('id')}:{charge.get('amount_refunded')}",
    )
    payment.order.refresh_from_db()
    return PaymentLog.Outcome.PROCESSED, f"Refunds recorded; order is {payment.order.get_status_display()}."


def _provider_refund(item: dict[str, Any]) -> ProviderRefund:
    status = {"succeeded": Refund.Status.SUCCEEDED, "pending": Refund.Status.PENDING}.get(
        str(item.get("status")), Refund.Status.FAILED
    )
    refund_id = str((item.get("metadata") or {}).get("refund_id") or "")
    return ProviderRefund(
        reference=str(item["id"]),
        amount=from_minor_units(int(item.get("amount") or 0)),
        status=status,
        refund_id=int(refund_id) if refund_id.isdigit() else None,
    )


STRIPE_HANDLERS: dict[str, Callable[[PaymentLog, dict[str, Any]], Outcome]] = {
    "checkout.session.completed": _on_session_completed,
    "checkout.session.async_payment_succeeded": _on_session_completed,
    "checkout.session.expired": _on_session_expired,
    "payment_intent.payment_failed": _on_payment_failed,
    "charge.refunded": _on_charge_refunded,
}


# --- refunds ------------------------------------------------------------------------------------


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
    payment: Payment, amount: Decimal | str, reason: str, requested_by, *, cancel: bool = False
) -> Refund:
    """Send part or all of a paid payment back through its provider and record it.

    The Refund row is committed as pending before the provider is called, so two staff
    refunding at once can never send back more than was paid. With `cancel`, a full refund of
    an order that has not shipped cancels it (and restocks) instead of marking it refunded.
    """
    amount = parse_refund_amount(amount)
    with transaction.atomic():
        locked = _locked_payment(payment)
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
                _settle_order(_locked_payment(locked), actor=requested_by, actor_label=label, cancel=cancel)
        except TransitionNotAllowed:
            logger.warning("Refund %s made, but order %s could not follow", refund.pk, order.number)
    return refund


# --- when an order is cancelled -----------------------------------------------------------------


def release_checkouts(order: Order) -> int:
    """An unpaid order was cancelled: close its open checkouts so nobody pays it. Never raises."""
    return _close_checkouts(order.payments.all())


def _close_checkouts(payments) -> int:
    """Mark the open attempts among `payments` cancelled and close them at their provider (best effort)."""
    open_payments = list(payments.filter(status__in=(Payment.Status.PENDING, Payment.Status.FAILED)))
    Payment.objects.filter(pk__in=[p.pk for p in open_payments]).update(status=Payment.Status.CANCELLED)
    for payment in open_payments:
        try:
            get_provider(payment.provider).cancel_checkout(payment)
        except Exception:
            logger.exception("Could not close checkout of payment %s", payment.pk)
    return len(open_payments)

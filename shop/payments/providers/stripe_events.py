"""Stripe's webhook events, read into the provider-neutral payment and refund functions.

Every event is stored first (`record_event`, keyed by Stripe's event id) in the transaction
that applies it, so a replayed event changes nothing twice. Rule for events out of order: a
refund reported before the payment is known to be paid is stored as deferred and applied when
`checkout.session.completed` arrives.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from shop.core.money import from_minor_units
from shop.orders.services import TransitionNotAllowed
from shop.payments.models import Payment, PaymentLog, Refund
from shop.payments.refunds import ProviderRefund, apply_provider_refunds
from shop.payments.services import (
    PaymentMismatch,
    confirm_payment,
    expire_payment,
    fail_payment,
    record_event,
)

logger = logging.getLogger(__name__)

WEBHOOK_LABEL = "stripe webhook"
Outcome = tuple[str, str]  # (PaymentLog.Outcome value, message)


def handle_stripe_event(event: dict[str, Any]) -> PaymentLog | None:
    """Act on one verified Stripe event, once. Returns its log row, or None for a replay."""
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
    outcome: str
    message: str
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
        actor_label=WEBHOOK_LABEL,
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

"""Stripe Checkout: a hosted payment page built from the order's own lines; the webhook is the truth."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import stripe
from django.conf import settings
from django.utils import timezone

from shop.core.money import to_minor_units

from .base import CheckoutStart, ProviderError, ProviderUnavailable, RefundResult

if TYPE_CHECKING:
    from shop.orders.models import Order, OrderItem
    from shop.payments.models import Payment, Refund

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The payment service is not answering. Your order is saved; please try again."
# Stripe accepts expires_at between 30 minutes and 24 hours ahead.
MIN_SESSION_LIFETIME = timedelta(minutes=31)
MAX_SESSION_LIFETIME = timedelta(hours=23)


def client() -> stripe.StripeClient:
    """A client per call, so settings (and the tests' fake server) always apply.

    Short timeout and one retry: the shopper is waiting on the other end; retries reuse the
    idempotency key, so Stripe never creates a second session or refund for them.
    """
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderUnavailable(
            "Card payments are not configured on this site (STRIPE_SECRET_KEY is empty)."
        )
    base = {"api": settings.STRIPE_API_BASE.rstrip("/")} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=cast(Any, base),  # {"api": URL}: Stripe's BaseAddresses TypedDict
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def _log(
    payment: "Payment",
    event_type: str,
    payload: dict[str, Any],
    outcome: str = "processed",
    message: str = "",
) -> None:
    from shop.payments.models import PaymentLog

    PaymentLog.objects.create(
        payment=payment,
        provider="stripe",
        direction=PaymentLog.Direction.OUT,
        event_type=event_type,
        payload=payload,
        outcome=outcome,
        message=message,
    )


def _call(payment: "Payment", event_type: str, params: dict[str, Any], request: Callable[[], Any]) -> Any:
    """Run one API call, log what went out and what came back, and translate failures."""
    try:
        response = request()
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        logger.warning("Stripe %s failed for payment %s: %s", event_type, payment.pk, exc)
        _log(payment, event_type, {"request": params}, "failed", str(exc))
        raise ProviderUnavailable(UNAVAILABLE_MESSAGE) from exc
    except stripe.StripeError as exc:
        logger.error("Stripe refused %s for payment %s: %s", event_type, payment.pk, exc)
        _log(payment, event_type, {"request": params}, "rejected", str(exc))
        raise ProviderError(getattr(exc, "user_message", None) or str(exc)) from exc
    _log(payment, event_type, {"request": params, "response": response.to_dict()})
    return response


def _line_item(item: "OrderItem", currency: str) -> dict[str, Any]:
    """A line at its unit price; a line with a share of a discount code as one line at what is paid
    for it (Stripe has no negative lines, and the share need not divide by the quantity)."""
    name = f"{item.product_name} ({item.variant_label})"
    quantity, unit_amount = item.quantity, to_minor_units(item.unit_price)
    if item.discount:
        name = f"{item.quantity} x {name}, code {item.order.discount_code}"
        quantity, unit_amount = 1, to_minor_units(item.paid_total)
    return {
        "quantity": quantity,
        "price_data": {
            "currency": currency,
            "unit_amount": unit_amount,
            "product_data": {"name": name, "metadata": {"sku": item.sku}},
        },
    }


def line_items(order: "Order") -> list[dict[str, Any]]:
    """The order's own lines, in integer minor units, plus shipping as a line of its own."""
    currency = order.currency.lower()
    items = [_line_item(item, currency) for item in order.items.all()]
    if order.shipping:
        items.append(
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": to_minor_units(order.shipping),
                    "product_data": {"name": "Shipping"},
                },
            }
        )
    return items


def checkout_session_params(payment: "Payment", *, success_url: str, cancel_url: str) -> dict[str, Any]:
    order = payment.order
    items = line_items(order)
    charged = sum(line["quantity"] * line["price_data"]["unit_amount"] for line in items)
    if charged != to_minor_units(payment.amount):
        raise ProviderError(f"Order {order.number}: lines add up to {charged}, not the order total.")
    metadata = {"order_number": order.number, "payment_id": str(payment.pk)}
    now = timezone.now()
    expires = min(max(order.payment_due_at, now + MIN_SESSION_LIFETIME), now + MAX_SESSION_LIFETIME)
    return {
        "mode": "payment",
        "line_items": items,
        "client_reference_id": order.number,
        "customer_email": order.email,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires.timestamp()),
    }


class StripeProvider:
    name = "stripe"

    def check_available(self) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderUnavailable("Card payments are not configured on this site.")

    def start_checkout(self, payment: "Payment", *, success_url: str, cancel_url: str) -> CheckoutStart:
        params = checkout_session_params(payment, success_url=success_url, cancel_url=cancel_url)
        options = {"idempotency_key": f"checkout-{payment.order.number}-{payment.attempt}"}
        api = client()
        session = _call(
            payment,
            "checkout.session.create",
            params,
            # Plain dicts in Stripe's documented shape; the fake Stripe in the tests checks them.
            lambda: api.v1.checkout.sessions.create(params=cast(Any, params), options=cast(Any, options)),
        )
        expires_at = session.to_dict().get("expires_at") or params["expires_at"]
        return CheckoutStart(
            redirect_url=session.url,
            reference=session.id,
            expires_at=datetime.fromtimestamp(int(expires_at), tz=UTC),
        )

    def cancel_checkout(self, payment: "Payment") -> None:
        if not payment.provider_reference:
            return
        api = client()
        _call(
            payment,
            "checkout.session.expire",
            {"session": payment.provider_reference},
            lambda: api.v1.checkout.sessions.expire(payment.provider_reference),
        )

    def refund(self, refund: "Refund") -> RefundResult:
        payment = refund.payment
        if not payment.provider_payment_id:
            raise ProviderError(
                "Stripe has not told us the payment intent of this payment yet; try again later."
            )
        params = {
            "payment_intent": payment.provider_payment_id,
            "amount": to_minor_units(refund.amount),
            "reason": "requested_by_customer",
            "metadata": {"order_number": payment.order.number, "refund_id": str(refund.pk)},
        }
        api = client()
        result = _call(
            payment,
            "refund.create",
            params,
            lambda: api.v1.refunds.create(
                params=cast(Any, params), options={"idempotency_key": f"refund-{refund.pk}"}
            ),
        )
        return RefundResult(
            reference=result.id, succeeded=result.status == "succeeded", pending=result.status == "pending"
        )

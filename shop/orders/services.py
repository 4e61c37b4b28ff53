"""Order rules: placing an order, and every change of its status.

Every status change goes through `transition` (or a helper that ends in it): it locks
the order row, re-checks the status under the lock against status.TRANSITIONS, records
an OrderEvent, and puts stock back exactly once when the goods never left.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop.accounts.models import AnyUser, User
from shop.cart.models import Cart, CartItem
from shop.cart.services import describe
from shop.catalog import stock_alerts
from shop.catalog.models import ProductVariant
from shop.core.money import quantize
from shop.core.pagecache import CATALOG, invalidate_pages
from shop.discounts.services import AppliedDiscount, DiscountError
from shop.shipping.services import shipping_for
from shop.tax.services import VatNotConfigured

from . import locks
from .discounts import discount_for_placement
from .models import Order, OrderEvent, OrderItem, new_order_number
from .signals import order_status_changed
from .status import NEEDS_REFUND, RESTOCKS, is_allowed
from .vat import apply_vat

logger = logging.getLogger(__name__)
S = Order.Status


class TransitionNotAllowed(ValueError):
    """A status change the order life does not allow; the message says why, for staff and logs."""


class CheckoutError(ValueError):
    """The order cannot be placed as asked (empty cart, an item sold out); the message names why."""


@dataclass(frozen=True)
class ShippingDetails:
    email: str
    full_name: str
    line1: str
    city: str
    postal_code: str
    country: str


def _label(status: str) -> str:
    return S(status).label if status in S.values else status or "new"


def _actor(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _copy_into(target: Order, source: Order) -> None:
    """Let callers holding the old instance see the new state without another query."""
    if target is source:
        return
    for field in Order._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _restock(order: Order) -> None:
    """Put every line's units back, once; variants are locked in the fixed order."""
    if order.stock_released:
        return
    quantities: dict[int, int] = {}
    for variant_id, quantity in order.items.filter(variant__isnull=False).values_list(
        "variant_id", "quantity"
    ):
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    variants = locks.lock_variants(quantities)
    for variant_id, quantity in sorted(quantities.items()):
        ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)
    back = {v.product_id for v in variants.values() if v.stock <= 0}
    if back:  # back in stock: pages show it again
        invalidate_pages(CATALOG, products=back)
    order.stock_released = True
    stock_alerts.notify_after_commit(quantities)


def _notify(order: Order, from_status: str, to_status: str) -> None:
    def send() -> None:
        for receiver, result in order_status_changed.send_robust(
            sender=Order, order=order, from_status=from_status, to_status=to_status
        ):
            if isinstance(result, Exception):
                logger.error(
                    "order_status_changed receiver %r failed for %s",
                    receiver,
                    order.number,
                    exc_info=result,
                )

    transaction.on_commit(send)


def _apply(
    locked: Order,
    to_status: str,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    note: str = "",
    refunded: bool = False,
) -> Order:
    """The one place a status changes; `locked` must be the row locked in this transaction."""
    from_status = locked.status
    if not is_allowed(from_status, to_status):
        raise TransitionNotAllowed(
            f"Order {locked.number} cannot go from {_label(from_status)} to {_label(to_status)}."
        )
    if (from_status, to_status) in NEEDS_REFUND and not refunded:
        raise TransitionNotAllowed(
            f"Order {locked.number} is paid: refund the payment in full before cancelling it."
        )
    if to_status == S.SHIPPED and not locked.tracking_number.strip():
        raise TransitionNotAllowed(f"Order {locked.number} needs a tracking number to be marked shipped.")
    fields = ["status", "updated_at"]
    if (from_status, to_status) in RESTOCKS and not locked.stock_released:
        _restock(locked)
        fields.append("stock_released")
    if to_status == S.PAID and locked.paid_at is None:
        locked.paid_at = timezone.now()
        fields.append("paid_at")
    locked.status = to_status
    locked.save(update_fields=fields)
    OrderEvent.objects.create(
        order=locked,
        from_status=from_status,
        to_status=to_status,
        actor=_actor(actor),
        actor_label=actor_label,
        note=note,
    )
    _notify(locked, from_status, to_status)
    return locked


@transaction.atomic
def transition(
    order: Order, to_status: str, *, actor: AnyUser | None = None, actor_label: str = "", note: str = ""
) -> Order:
    """Move the order to `to_status` if the order life allows it from its current status."""
    locked = _apply(locks.lock_order(order.pk), to_status, actor=actor, actor_label=actor_label, note=note)
    _copy_into(order, locked)
    return locked


@transaction.atomic
def mark_paid(order: Order, *, actor_label: str, reference: str = "") -> Order:
    """Idempotent: a replayed payment confirmation changes nothing once the order is paid or later."""
    locked = locks.lock_order(order.pk)
    if locked.status in (S.PAID, S.SHIPPED, S.DELIVERED, S.REFUNDED):
        _copy_into(order, locked)
        return locked
    note = f"Payment {reference}" if reference else ""
    locked = _apply(locked, S.PAID, actor_label=actor_label, note=note)
    _copy_into(order, locked)
    return locked


@transaction.atomic
def extend_payment_deadline(order: Order, until: datetime) -> Order:
    """Keep an unpaid order payable while a provider's checkout for it is open; never shortens it."""
    locked = locks.lock_order(order.pk)
    if locked.status == S.PENDING_PAYMENT and until > locked.payment_due_at:
        locked.payment_due_at = until
        locked.save(update_fields=["payment_due_at", "updated_at"])
    _copy_into(order, locked)
    return locked


@transaction.atomic
def mark_refunded(
    order: Order, *, actor: AnyUser | None = None, actor_label: str = "", note: str = ""
) -> Order:
    """The full amount went back. Idempotent; a paid order cancelled after its refund stays cancelled."""
    locked = locks.lock_order(order.pk)
    already = locked.status == S.REFUNDED or (locked.status == S.CANCELLED and locked.paid_at is not None)
    if not already:
        locked = _apply(locked, S.REFUNDED, actor=actor, actor_label=actor_label, note=note)
    _copy_into(order, locked)
    return locked


@transaction.atomic
def cancel_order(
    order: Order,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    note: str = "",
    refunded: bool = False,
) -> Order:
    """Cancel an unpaid order, or a paid one whose payment was refunded in full; stock goes back once."""
    locked = _apply(
        locks.lock_order(order.pk),
        S.CANCELLED,
        actor=actor,
        actor_label=actor_label,
        note=note,
        refunded=refunded,
    )
    _copy_into(order, locked)
    return locked


@transaction.atomic
def mark_shipped(
    order: Order, *, tracking_number: str, actor: AnyUser | None = None, note: str = ""
) -> Order:
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise TransitionNotAllowed("Enter the tracking number to mark the order shipped.")
    locked = locks.lock_order(order.pk)
    if not is_allowed(locked.status, S.SHIPPED):
        raise TransitionNotAllowed(
            f"Order {locked.number} cannot go from {_label(locked.status)} to {_label(S.SHIPPED)}."
        )
    locked.tracking_number = tracking_number
    locked.save(update_fields=["tracking_number", "updated_at"])
    locked = _apply(locked, S.SHIPPED, actor=actor, note=note or f"Tracking number {tracking_number}")
    _copy_into(order, locked)
    return locked


def mark_delivered(order: Order, *, actor: AnyUser | None = None, note: str = "") -> Order:
    return transition(order, S.DELIVERED, actor=actor, note=note)


def expire_orders(now: datetime | None = None) -> list[Order]:
    """Cancel unpaid orders past their deadline, one short transaction each.

    Rows another worker (or a payment) holds are skipped, so several runs at once
    never wait on each other nor cancel the same order twice.
    """
    now = now or timezone.now()
    expired: list[Order] = []
    while True:
        with transaction.atomic():
            locked = locks.lock_due_orders(now).first()
            if locked is None:
                return expired
            expired.append(_apply(locked, S.CANCELLED, actor_label="expire_orders", note="Not paid in time."))


def place_order(cart: Cart, details: ShippingDetails, *, user: AnyUser | None = None) -> Order:
    """Turn the cart into an order: lock its variants, re-check, take the stock, snapshot, empty the cart.

    Prices and totals come from the locked rows, never from the request. When any line
    cannot be had, nothing changes and the CheckoutError names the item.
    """
    with transaction.atomic():
        Cart.objects.select_for_update().filter(
            pk=cart.pk
        ).first()  # a double submit waits, then finds it empty
        wanted = list(CartItem.objects.filter(cart=cart).order_by("pk").values_list("variant_id", "quantity"))
        if not wanted:
            raise CheckoutError("Your cart is empty.")
        variants = locks.lock_variants(v for v, _ in wanted)
        lines: list[OrderItem] = []
        for variant_id, quantity in wanted:
            variant = variants.get(variant_id)
            if variant is None or not variant.is_sellable:
                name = describe(variant) if variant else "An item in your cart"
                raise CheckoutError(f"{name} is no longer sold. Remove it from your cart to check out.")
            if variant.stock < quantity:
                left = f"only {variant.stock} left" if variant.stock else "it is sold out"
                raise CheckoutError(
                    f"Sorry, {describe(variant)}: {left}. Your cart is kept; please adjust it."
                )
            lines.append(OrderItem.snapshot(variant, quantity))
        discount = _discount(cart, lines, details, user)
        for variant_id, quantity in wanted:
            ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") - quantity)
        taken = {v: 0 for v, _ in wanted}
        for variant_id, quantity in wanted:
            taken[variant_id] += quantity
        sold_out = {variants[pk].product_id for pk, n in taken.items() if variants[pk].stock == n}
        if sold_out:
            invalidate_pages(CATALOG, products=sold_out)  # the last units went: pages show it sold out
        subtotal = quantize(sum((line.line_total for line in lines), 0))
        reduction = discount.amount if discount else Decimal("0.00")
        shipping = shipping_for(subtotal - reduction)
        order = Order(
            user=_actor(user),
            email=details.email,
            full_name=details.full_name,
            line1=details.line1,
            city=details.city,
            postal_code=details.postal_code,
            country=details.country,
            currency=settings.SHOP_CURRENCY,
            subtotal=subtotal,
            discount=reduction,
            discount_code=discount.code.code if discount else "",
            discount_code_ref=discount.code if discount else None,
            shipping=shipping,
            total=subtotal - reduction + shipping,
        )
        try:
            apply_vat(order, lines)
        except VatNotConfigured as error:
            logger.error("Checkout refused: %s", error)
            raise CheckoutError("The shop cannot take orders right now. Please try again later.") from error
        _save_with_unique_number(order)
        for line in lines:
            line.order = order
        OrderItem.objects.bulk_create(lines)
        OrderEvent.objects.create(
            order=order,
            to_status=order.status,
            actor=_actor(user),
            actor_label="checkout",
            note="Order placed.",
        )
        CartItem.objects.filter(cart=cart).delete()
        Cart.objects.filter(pk=cart.pk).update(discount_code="")
    return order


def _discount(
    cart: Cart, lines: list[OrderItem], details: ShippingDetails, user: AnyUser | None
) -> AppliedDiscount | None:
    """The cart's code re-checked under the locks (orders/discounts.py); its shares go on the lines."""
    code = Cart.objects.filter(pk=cart.pk).values_list("discount_code", flat=True).first() or ""
    try:
        applied = discount_for_placement(code, lines, email=details.email, user=_actor(user))
    except DiscountError as error:
        raise CheckoutError(f"{error} Your cart is kept; remove the code or try another one.") from error
    if applied is not None:
        for line, share in zip(lines, applied.shares, strict=True):
            line.discount = share
    return applied


def _save_with_unique_number(order: Order, attempts: int = 5) -> None:
    """Numbers are random; on the rare clash draw another one."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1 or Order.objects.filter(number=order.number).exists() is False:
                raise
            order.number = new_order_number()


def record_note(
    order: Order, note: str, *, actor: AnyUser | None = None, actor_label: str = ""
) -> OrderEvent:
    """A step in the order's history that keeps its status (a return requested, approved, received)."""
    return OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=_actor(actor),
        actor_label=actor_label,
        note=note,
    )

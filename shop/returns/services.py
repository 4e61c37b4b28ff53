"""Return rules (docs/returns.md): asking within the window, staff deciding, goods coming back.

Each step locks the return row (then the order row, then variants in pk order, as checkout),
checks the step against status.TRANSITIONS, writes the order's history (orders.record_note)
and emails the customer after commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shop.accounts.models import AnyUser, User
from shop.catalog.models import ProductVariant
from shop.core.money import format_money, quantize
from shop.orders import locks
from shop.orders.exchanges import place_exchange_order, restock
from shop.orders.models import Order, OrderEvent, OrderItem
from shop.orders.services import record_note
from shop.payments.models import Payment
from shop.payments.refunds import RefundNotAllowed, refund_payment

from . import emails
from .models import SIZE_REASONS, ReturnLine, ReturnRequest, ReturnSettings
from .status import is_allowed

R = ReturnRequest.Status
S = Order.Status
OPEN_ORDER_STATUSES = (S.SHIPPED, S.DELIVERED)


class ReturnNotAllowed(ValueError):
    """The return cannot go ahead as asked; the message says why, for the customer or staff."""


@dataclass(frozen=True)
class WantedReturn:
    item_id: int
    quantity: int
    reason: str
    wanted_variant_id: int | None = None


def window_closes_at(order: Order) -> datetime | None:
    """The window counts from when the parcel left (the first shipped event); None when not open."""
    if order.status not in OPEN_ORDER_STATUSES:
        return None
    shipped = (
        OrderEvent.objects.filter(order=order, to_status=S.SHIPPED)
        .exclude(from_status=S.SHIPPED)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    days = ReturnSettings.load().window_days
    if shipped is None or days <= 0:
        return None
    return shipped + timedelta(days=days)


def returns_open(order: Order, now: datetime | None = None) -> bool:
    closes = window_closes_at(order)
    return closes is not None and (now or timezone.now()) <= closes


def returnable_quantities(order: Order) -> dict[int, int]:
    """Units per order line that may still be asked back (a rejected request frees its units)."""
    asked = dict(
        ReturnLine.objects.filter(request__order=order)
        .exclude(request__status=R.REJECTED)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values_list("item_id", "n")
    )
    return {item.pk: item.quantity - asked.get(item.pk, 0) for item in order.items.all()}


def exchange_choices(item: OrderItem) -> list[ProductVariant]:
    """Other active sizes of the same product and colour, for "the size wanted instead"."""
    if item.product is None:
        return []
    return list(
        item.product.variants.filter(is_active=True, colour=item.colour)
        .exclude(pk=item.variant_id)
        .order_by("sort_order", "pk")
    )


def request_return(
    order: Order, wanted: list[WantedReturn], *, actor: AnyUser | None = None
) -> ReturnRequest:
    """The customer asks to send lines back (each with a reason; a size problem may name a new size)."""
    wanted = [w for w in wanted if w.quantity > 0]
    if not wanted:
        raise ReturnNotAllowed("Choose at least one item to return.")
    with transaction.atomic():
        locked = locks.lock_order(order.pk)
        if not returns_open(locked):
            raise ReturnNotAllowed("Returns for this order are closed.")
        left = returnable_quantities(locked)
        items = {item.pk: item for item in locked.items.select_related("product")}
        lines: list[ReturnLine] = []
        for want in wanted:
            item = items.get(want.item_id)
            if item is None or want.quantity > left.get(want.item_id, 0):
                raise ReturnNotAllowed("You cannot return more than you received.")
            if want.wanted_variant_id is not None:
                if want.reason not in SIZE_REASONS:
                    raise ReturnNotAllowed(
                        "A different size can only be asked for when the size did not fit."
                    )
                if want.wanted_variant_id not in {v.pk for v in exchange_choices(item)}:
                    raise ReturnNotAllowed(f"That size is not available for {item.product_name}.")
            lines.append(
                ReturnLine(
                    item=item,
                    quantity=want.quantity,
                    reason=want.reason,
                    wanted_variant_id=want.wanted_variant_id,
                )
            )
        request = ReturnRequest.objects.create(order=locked)
        for line in lines:
            line.request = request
        ReturnLine.objects.bulk_create(lines)
        units = sum(line.quantity for line in lines)
        record_note(
            locked, f"Return {request.pk} requested ({units} item(s)).", actor=actor, actor_label="customer"
        )
        transaction.on_commit(lambda: emails.send(request, "requested"))
    return request


def _lock(ret: ReturnRequest, to_status: str) -> ReturnRequest:
    locked = ReturnRequest.objects.select_for_update().select_related("order").get(pk=ret.pk)
    if not is_allowed(locked.status, to_status):
        raise ReturnNotAllowed(
            f"Return {locked.pk} is {locked.get_status_display().lower()}; "
            f"it cannot be {R(to_status).label.lower()}."
        )
    return locked


@transaction.atomic
def approve_return(ret: ReturnRequest, *, actor: User, note: str = "") -> ReturnRequest:
    locked = _lock(ret, R.APPROVED)
    locked.status, locked.staff_note, locked.handled_by = R.APPROVED, note, actor
    locked.save()
    record_note(locked.order, f"Return {locked.pk} approved. {note}".strip(), actor=actor)
    transaction.on_commit(lambda: emails.send(locked, "approved"))
    return locked


@transaction.atomic
def reject_return(ret: ReturnRequest, *, actor: User, note: str = "") -> ReturnRequest:
    locked = _lock(ret, R.REJECTED)
    locked.status, locked.staff_note, locked.handled_by = R.REJECTED, note, actor
    locked.save()
    record_note(locked.order, f"Return {locked.pk} rejected. {note}".strip(), actor=actor)
    transaction.on_commit(lambda: emails.send(locked, "rejected"))
    return locked


def receive_return(ret: ReturnRequest, *, actor: User) -> ReturnRequest:
    """The parcel came back: restock once, send the new sizes that are in stock, refund the rest.

    An exchange whose size sold out meanwhile is refunded instead (the email says so).
    The refund goes through the payment provider after the stock transaction committed.
    """
    with transaction.atomic():
        locked = _lock(ret, R.RECEIVED)
        order = locks.lock_order(locked.order_id)
        lines = list(locked.lines.select_related("item", "wanted_variant"))
        returned = _sum_by(
            (line.item.variant_id, line.quantity) for line in lines if line.item.variant_id is not None
        )
        wanted = _sum_by(
            (line.wanted_variant_id, line.quantity) for line in lines if line.wanted_variant_id is not None
        )
        variants = locks.lock_variants({**returned, **wanted})  # one lock set, pk order, like checkout
        if not locked.restocked:
            restock(returned)
            locked.restocked = True
        in_stock = {
            variant_id
            for variant_id, quantity in wanted.items()
            if variant_id in variants
            and variants[variant_id].is_active
            and variants[variant_id].stock + returned.get(variant_id, 0) >= quantity
        }
        exchange = {v: q for v, q in wanted.items() if v in in_stock}
        if exchange:
            locked.exchange_order = place_exchange_order(order, exchange, actor=actor)
        for line in lines:
            line.exchanged = line.is_exchange and line.wanted_variant_id in in_stock
        ReturnLine.objects.bulk_update(lines, ["exchanged"])
        locked.refund_amount = sum((paid_for(line) for line in lines if not line.exchanged), Decimal("0.00"))
        locked.status, locked.handled_by = R.RECEIVED, actor
        locked.save()
        summary = f"Return {locked.pk} received; items back in stock."
        if locked.exchange_order:
            summary += f" Exchange sent as order {locked.exchange_order.number}."
        record_note(order, summary, actor=actor)
    return settle_refund(locked, actor=actor)


def settle_refund(ret: ReturnRequest, *, actor: User) -> ReturnRequest:
    """Refund what was not exchanged through the provider, then complete; a failure leaves it received."""
    if ret.refund_amount > 0 and ret.refund_id is None:
        payment = _refundable_payment(ret.order, ret.refund_amount)
        if payment is None:
            raise ReturnNotAllowed("No payment of this order has enough left to refund; refund it by hand.")
        try:
            refund = refund_payment(payment, ret.refund_amount, f"Return {ret.pk}", actor)
        except RefundNotAllowed as error:
            raise ReturnNotAllowed(f"The items are back in stock, but the refund failed: {error}") from error
        ReturnRequest.objects.filter(pk=ret.pk).update(refund=refund)
        ret.refund = refund
    with transaction.atomic():
        locked = _lock(ret, R.COMPLETED)
        locked.status = R.COMPLETED
        locked.save()
        note = f"Return {locked.pk} completed"
        if locked.refund_amount:
            note += f": {format_money(locked.refund_amount, locked.order.currency)} refunded"
        record_note(locked.order, note + ".", actor=actor)
        transaction.on_commit(lambda: emails.send(locked, "received"))
    return locked


def paid_for(line: ReturnLine) -> Decimal:
    """What the customer paid for the returned units: the paid line total (after its discount) pro rata."""
    item = line.item
    return quantize(item.paid_total * line.quantity / item.quantity)


def _refundable_payment(order: Order, amount: Decimal) -> Payment | None:
    payments = Payment.objects.filter(order=order, status=Payment.Status.PAID).order_by("pk")
    return next((p for p in payments if p.refundable_amount >= amount), None)


def _sum_by(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for key, quantity in pairs:
        totals[key] = totals.get(key, 0) + quantity
    return totals

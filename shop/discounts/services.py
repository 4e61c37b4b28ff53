"""What a discount code takes off a set of lines; the rules shoppers see as messages.

Pure rules on loaded rows: the cart calls `evaluate` to show the discount, and the orders
app calls it again under the code's row lock when the order is placed (with the usage
limits, which need the orders: shop/orders/discounts.py). Rules in docs/discounts.md.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from shop.catalog.models import Category, Product
from shop.core.money import format_money, quantize

from .models import DiscountCode, normalize


class DiscountError(ValueError):
    """The code cannot be used as asked; the message is shown to the shopper as it is."""


@dataclass(frozen=True)
class Line:
    product: Product
    line_total: Decimal


@dataclass(frozen=True)
class AppliedDiscount:
    code: DiscountCode
    amount: Decimal
    shares: tuple[Decimal, ...]  # per line, in the lines' order; they add up to `amount`

    @property
    def label(self) -> str:
        return f"Discount ({self.code.code})"


def find_code(raw: str | None) -> DiscountCode:
    """The code as typed (any case), or a DiscountError."""
    code = normalize(raw)
    if not code:
        raise DiscountError("Enter a discount code.")
    if len(code) > 32:
        raise DiscountError("That is not a discount code we know.")
    found = DiscountCode.objects.prefetch_related("categories", "products").filter(code=code).first()
    if found is None:
        raise DiscountError(f"“{code}” is not a discount code we know.")
    return found


def check_window(code: DiscountCode, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if not code.is_active or (code.ends_at is not None and code.ends_at <= now):
        raise DiscountError(f"The code {code.code} has expired.")
    if code.starts_at > now:
        raise DiscountError(f"The code {code.code} is not valid yet.")


def is_live(code: DiscountCode, now: datetime | None = None) -> bool:
    try:
        check_window(code, now)
    except DiscountError:
        return False
    return True


def eligible_category_ids(code: DiscountCode) -> set[int]:
    """The code's categories and every category below them (one query when the code has categories)."""
    chosen = {c.pk for c in code.categories.all()}
    if not chosen:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), list(chosen)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def evaluate(code: DiscountCode, lines: Sequence[Line], now: datetime | None = None) -> AppliedDiscount:
    """The discount on these lines, or a DiscountError saying why there is none.

    The minimum order value is compared with the whole subtotal; the discount is taken
    from the eligible lines only and never exceeds them. It is split over those lines in
    proportion to their totals (the last takes the rounding rest), so a refund of one
    line gives back what was really paid for it.
    """
    check_window(code, now)
    subtotal = quantize(sum((line.line_total for line in lines), Decimal("0")))
    if subtotal < code.minimum_order:
        raise DiscountError(
            f"The code {code.code} needs an order of at least {format_money(code.minimum_order)}."
        )
    eligible = _eligible_flags(code, lines)
    base = quantize(
        sum((line.line_total for line, ok in zip(lines, eligible, strict=True) if ok), Decimal("0"))
    )
    if base <= 0:
        raise DiscountError(f"The code {code.code} does not apply to the items in your cart.")
    if code.kind == DiscountCode.Kind.PERCENTAGE:
        amount = quantize(base * code.value / 100)
    else:
        amount = quantize(min(code.value, base))
    return AppliedDiscount(code, amount, _split(amount, lines, eligible, base))


def _eligible_flags(code: DiscountCode, lines: Sequence[Line]) -> list[bool]:
    product_ids = {p.pk for p in code.products.all()}
    category_ids = eligible_category_ids(code)
    if not product_ids and not category_ids:
        return [True] * len(lines)
    return [line.product.pk in product_ids or line.product.category_id in category_ids for line in lines]


def _split(
    amount: Decimal, lines: Sequence[Line], eligible: list[bool], base: Decimal
) -> tuple[Decimal, ...]:
    shares = [Decimal("0.00")] * len(lines)
    indexes = [i for i, ok in enumerate(eligible) if ok]
    rest = amount
    for i in indexes[:-1]:
        shares[i] = min(quantize(amount * lines[i].line_total / base), rest)
        rest -= shares[i]
    shares[indexes[-1]] = rest
    return tuple(shares)


def promoted_product_ids(code: DiscountCode, limit: int = 8) -> list[int]:
    """Products a promotion shows: the chosen ones first, then the newest of its categories."""
    chosen = [p.pk for p in code.products.all()]
    ids = list(dict.fromkeys(chosen))[:limit]
    categories = eligible_category_ids(code)
    if len(ids) < limit and categories:
        newest = (
            Product.objects.buyable()
            .filter(category__in=categories)
            .exclude(pk__in=ids)
            .order_by("-created_at", "pk")
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
        ids += list(newest)
    return ids


def lines_from(items: Iterable[tuple[Product, Decimal]]) -> list[Line]:
    return [Line(product, total) for product, total in items]

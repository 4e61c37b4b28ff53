"""A discount code at checkout: its usage limits (counted on orders) and the final check under locks.

place_order calls `discount_for_placement` after locking the variants and before taking
stock, so a code used up by another checkout in the meantime stops this one with a clear
message and nothing changes. Rules in docs/discounts.md.
"""

from collections.abc import Sequence

from django.db.models import Q

from shop.discounts.models import DiscountCode
from shop.discounts.services import AppliedDiscount, DiscountError, evaluate, lines_from

from . import locks
from .models import Order, OrderItem


def uses(code: DiscountCode, *, email: str = "", user=None) -> tuple[int, int]:
    """Orders that used the code (cancelled ones give their use back), in all and by this customer."""
    orders = Order.objects.filter(discount_code_ref=code).exclude(status=Order.Status.CANCELLED)
    customer = Q(email__iexact=email) if email else Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        customer |= Q(user=user)
    total = orders.count()
    mine = orders.filter(customer).count() if code.usage_limit_per_customer else 0
    return total, mine


def check_uses(code: DiscountCode, *, email: str = "", user=None) -> None:
    total, mine = uses(code, email=email, user=user)
    if code.usage_limit is not None and total >= code.usage_limit:
        raise DiscountError(f"The code {code.code} has been used up.")
    if code.usage_limit_per_customer is not None and mine >= code.usage_limit_per_customer:
        raise DiscountError(f"You have already used the code {code.code}.")


def discount_for_placement(
    code_text: str, lines: Sequence[OrderItem], *, email: str, user=None
) -> AppliedDiscount | None:
    """Inside place_order's transaction: lock the code, evaluate it on the snapshot lines, count uses.

    Raises DiscountError (place_order turns it into a CheckoutError) when it no longer applies.
    """
    if not code_text:
        return None
    code = locks.lock_discount_code(code_text)
    if code is None:
        raise DiscountError(f"The code {code_text} no longer exists.")
    applied = evaluate(code, lines_from((line.placed_product, line.line_total) for line in lines))
    check_uses(code, email=email, user=user)
    return applied

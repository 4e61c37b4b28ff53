"""The VAT snapshot of a new order (docs/orders.md, "VAT"), kept apart from place_order on purpose.

A discount reduces the taxable amount: each line's share of it (`OrderItem.discount`,
set by orders.discounts before this runs) comes off the line's gross first.
"""

from decimal import Decimal

from shop.tax.services import rates_for, vat_in_gross

from .models import Order, OrderItem


def apply_vat(order: Order, lines: list[OrderItem]) -> None:
    """Set each line's rate and VAT, the shipping's, and the order's VAT total (unsaved objects).

    A line takes the destination's rate for its product's tax class. Shipping follows the
    highest rate among the lines (it serves them all and is never taxed too low); an order
    without lines takes the standard rate.
    """
    rates = rates_for(order.country)
    for line in lines:
        line.vat_rate = rates[line.placed_product.tax_class]
        line.vat_amount = vat_in_gross(line.line_total - line.discount, line.vat_rate)
    order.shipping_vat_rate = max((line.vat_rate for line in lines), default=rates["standard"])
    order.shipping_vat = vat_in_gross(order.shipping, order.shipping_vat_rate)
    order.vat_total = sum((line.vat_amount for line in lines), Decimal("0.00")) + order.shipping_vat

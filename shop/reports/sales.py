"""Sales by day: paid orders, units, net, VAT and gross per day of payment, and refunds per day."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from shop.orders.models import Order, OrderItem
from shop.payments.models import Refund

ZERO = Decimal("0.00")


@dataclass
class SalesDay:
    day: date
    orders: int = 0
    units: int = 0
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    refunded: Decimal = ZERO


def sales_by_day(start: date, end: date) -> list[SalesDay]:
    """Every day from start to end (inclusive), newest first; four grouped queries whatever the range."""
    tz = timezone.get_current_timezone()
    sold = Order.objects.filter(
        paid_at__date__gte=start, paid_at__date__lte=end, total__gt=0
    )  # exchanges are not sales
    days = {
        start + timedelta(days=n): SalesDay(start + timedelta(days=n)) for n in range((end - start).days + 1)
    }
    for row in (
        sold.annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day")
        .annotate(orders=Count("pk"), gross=Sum("total"), vat=Sum("vat_total"))
    ):
        d = days[row["day"]]
        d.orders, d.gross, d.vat, d.net = row["orders"], row["gross"], row["vat"], row["gross"] - row["vat"]
    for units in (
        OrderItem.objects.filter(order__in=sold.values("pk"))
        .annotate(day=TruncDate("order__paid_at", tzinfo=tz))
        .values("day")
        .annotate(units=Sum("quantity"))
    ):
        days[units["day"]].units = units["units"]
    for refunded in (
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED, created_at__date__gte=start, created_at__date__lte=end
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(amount=Sum("amount"))
    ):
        days[refunded["day"]].refunded = refunded["amount"]
    return sorted(days.values(), key=lambda d: d.day, reverse=True)

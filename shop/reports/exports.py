"""CSV exports for staff and accountants: rows from the database, a chunk at a time.

Each export is a heading plus a generator of rows, so a year of orders streams out without
being held in memory (`.iterator()`), and one query per chunk, never one per order.
"""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import StreamingHttpResponse
from django.utils import timezone

from shop.invoices.models import CreditNote
from shop.invoices.services import credit_note_summary
from shop.orders.models import Order, OrderItem
from shop.payments.models import Refund

CHUNK = 2000
ZERO = Decimal("0.00")


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(filename: str, heading: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(heading)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


ORDER_HEADING = [
    "order", "placed", "paid", "status", "email", "country", "currency",
    "subtotal", "shipping", "net", "vat", "total", "invoice", "exchange for",
]  # fmt: skip


def order_rows(orders: QuerySet[Order]) -> Iterator[list]:
    rows = orders.select_related("invoice", "exchange_for").order_by("created_at", "pk")
    for o in rows.iterator(chunk_size=CHUNK):
        invoice = getattr(o, "invoice", None)
        yield [
            o.number, _when(o.created_at), _when(o.paid_at), o.get_status_display(), o.email, o.country,
            o.currency, o.subtotal, o.shipping, o.net_total, o.vat_total, o.total,
            invoice.number if invoice else "", o.exchange_for.number if o.exchange_for else "",
        ]  # fmt: skip


LINE_HEADING = [
    "order", "placed", "status", "product", "variant", "sku", "quantity",
    "unit price", "vat rate", "net", "vat", "line total",
]  # fmt: skip


def line_rows(orders: QuerySet[Order]) -> Iterator[list]:
    lines = (
        OrderItem.objects.filter(order__in=orders.values("pk"))
        .select_related("order")
        .order_by("order__created_at", "order_id", "pk")
    )
    for i in lines.iterator(chunk_size=CHUNK):
        yield [
            i.order.number, _when(i.order.created_at), i.order.get_status_display(), i.product_name,
            i.variant_label, i.sku, i.quantity, i.unit_price, i.vat_rate, i.net_total, i.vat_amount,
            i.line_total,
        ]  # fmt: skip


REFUND_HEADING = [
    "order",
    "refund",
    "created",
    "status",
    "amount",
    "reason",
    "provider reference",
    "credit note",
]


def refund_rows(orders: QuerySet[Order]) -> Iterator[list]:
    refunds = (
        Refund.objects.filter(payment__order__in=orders.values("pk"))
        .select_related("payment__order", "credit_note")
        .order_by("created_at", "pk")
    )
    for r in refunds.iterator(chunk_size=CHUNK):
        note = getattr(r, "credit_note", None)
        yield [
            r.payment.order.number, r.pk, _when(r.created_at), r.get_status_display(), r.amount, r.reason,
            r.provider_reference, note.number if note else "",
        ]  # fmt: skip


VAT_HEADING = [
    "month", "vat rate", "net sales", "vat sales", "gross sales",
    "net refunded", "vat refunded", "gross refunded", "net", "vat", "gross",
]  # fmt: skip


def vat_rows(orders: QuerySet[Order]) -> Iterator[list]:
    """VAT per month (of payment, and of the credit note for refunds) and rate, for the VAT return."""
    invoiced = orders.filter(invoice__isnull=False)
    table: dict[tuple, list[Decimal]] = {}

    def add(month, rate, offset: int, gross: Decimal, vat: Decimal) -> None:
        row = table.setdefault((month.date(), Decimal(rate).quantize(Decimal("0.01"))), [ZERO] * 6)
        row[offset] += gross - vat
        row[offset + 1] += vat
        row[offset + 2] += gross

    lines = (
        OrderItem.objects.filter(order__in=invoiced.values("pk"))
        .annotate(month=TruncMonth("order__invoice__issued_at"))
        .values("month", "vat_rate")
        .annotate(gross=Sum("line_total"), vat=Sum("vat_amount"))
    )
    for row in lines:
        add(row["month"], row["vat_rate"], 0, row["gross"], row["vat"])
    shipping = (
        invoiced.filter(shipping__gt=0)
        .annotate(month=TruncMonth("invoice__issued_at"))
        .values("month", "shipping_vat_rate")
        .annotate(gross=Sum("shipping"), vat=Sum("shipping_vat"))
    )
    for ship in shipping:
        add(ship["month"], ship["shipping_vat_rate"], 0, ship["gross"], ship["vat"])
    notes = (
        CreditNote.objects.filter(invoice__order__in=invoiced.values("pk"))
        .annotate(month=TruncMonth("issued_at"))
        .select_related("invoice__order", "refund__return_request")
        .prefetch_related("invoice__order__items")
    )
    for note in notes:
        order = note.invoice.order
        for part in credit_note_summary(note, order.vat_summary(order.items.all())):
            add(note.month, part.rate, 3, part.gross, part.vat)
    for (month, rate), v in sorted(table.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        yield [month.strftime("%Y-%m"), rate, *v, v[0] - v[3], v[1] - v[4], v[2] - v[5]]


EXPORTS = {
    "orders": (ORDER_HEADING, order_rows),
    "lines": (LINE_HEADING, line_rows),
    "refunds": (REFUND_HEADING, refund_rows),
    "vat": (VAT_HEADING, vat_rows),
}

"""Issuing invoices and credit notes with gap-free numbers per calendar year.

A number is taken from DocumentSequence under a row lock, in the same transaction as the
document that carries it: a rolled-back issue gives its number back, two issues at once
queue on the counter row, so the series never has a gap nor a duplicate.
Lock order: refund row, then order row, then the counter (as payments: payment, refund, order).
"""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from shop.core.money import quantize
from shop.orders import locks
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.tax.services import VatSummary, summarize, vat_in_gross

from .models import CreditNote, DocumentSequence, Invoice, SellerDetails

INVOICE_SERIES = "invoice"
CREDIT_NOTE_SERIES = "credit_note"
CENT = Decimal("0.01")


def invoice_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


def credit_note_number(year: int, sequence: int) -> str:
    return f"CN-{year}-{sequence:06d}"


def _take_number(series: str, year: int) -> int:
    """The next number of the series for the year; must run inside the issuing transaction."""
    DocumentSequence.objects.bulk_create([DocumentSequence(series=series, year=year)], ignore_conflicts=True)
    counter = DocumentSequence.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def needs_invoice(order: Order) -> bool:
    """A paid order with something to pay for; a zero-priced exchange shipment is no sale."""
    return order.paid_at is not None and order.total > 0


@transaction.atomic
def issue_invoice(order: Order) -> Invoice | None:
    """The order's invoice, issued now if it has none yet (idempotent); None for an unpaid order."""
    locked = locks.lock_order(order.pk)
    if not needs_invoice(locked):
        return None
    existing = Invoice.objects.filter(order=locked).first()
    if existing is not None:
        return existing
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence = _take_number(INVOICE_SERIES, year)
    return Invoice.objects.create(
        order=locked,
        number=invoice_number(year, sequence),
        year=year,
        sequence=sequence,
        issued_at=now,
        seller=SellerDetails.load().snapshot(),
    )


def invoice_for(order: Order) -> Invoice | None:
    """The invoice to show: the one issued at payment, or issued now if that step was missed."""
    return Invoice.objects.filter(order=order).first() or issue_invoice(order)


@transaction.atomic
def issue_credit_note(refund: Refund) -> CreditNote | None:
    """The credit note of a succeeded refund (idempotent); None while the refund is not through."""
    locked = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
    if locked.status != Refund.Status.SUCCEEDED:
        return None
    existing = CreditNote.objects.filter(refund=locked).first()
    if existing is not None:
        return existing
    invoice = issue_invoice(locked.payment.order)
    if invoice is None:
        return None
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence = _take_number(CREDIT_NOTE_SERIES, year)
    return CreditNote.objects.create(
        invoice=invoice,
        refund=locked,
        number=credit_note_number(year, sequence),
        year=year,
        sequence=sequence,
        amount=locked.amount,
        issued_at=now,
        seller=SellerDetails.load().snapshot(),
    )


def issue_missing_credit_notes(order: Order) -> list[CreditNote]:
    """Every succeeded refund of the order has its credit note (issued now when one was missed)."""
    refunds = Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).order_by("pk")
    notes = [issue_credit_note(refund) for refund in refunds]
    return [note for note in notes if note is not None]


def credit_note_summary(note: CreditNote, order_summary: list[VatSummary] | None = None) -> list[VatSummary]:
    """Net, VAT and gross per rate of what a credit note gives back.

    A refund for returned lines credits those lines at their own rates (gross = what was paid
    for the units returned, VAT by the line rule); any other refund is shared over the order's rates.
    """
    ret = getattr(note.refund, "return_request", None)
    if ret is not None:
        entries = []
        for line in ret.lines.select_related("item"):
            if line.exchanged:
                continue
            gross = quantize(line.item.paid_total * line.quantity / line.item.quantity)
            entries.append((line.item.vat_rate, gross, vat_in_gross(gross, line.item.vat_rate)))
        if sum(gross for _, gross, _ in entries) == note.amount:
            return summarize(entries)
    order = note.invoice.order
    return split_by_rate(note.amount, order_summary if order_summary is not None else order.vat_summary())


def split_by_rate(amount: Decimal, summary: list[VatSummary]) -> list[VatSummary]:
    """A refund's gross shared over the order's rates in proportion to their gross (largest
    remainder gets the odd cents), then VAT per share by the same rule as the order's lines."""
    total = sum((row.gross for row in summary), Decimal("0"))
    if not total:
        return []
    raw = [amount * row.gross / total for row in summary]
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in raw]
    left = int((amount - sum(shares)) / CENT)
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)[:left]:
        shares[index] += CENT
    rows = []
    for row, gross in zip(summary, shares, strict=True):
        vat = vat_in_gross(gross, row.rate)
        rows.append(VatSummary(rate=row.rate, net=gross - vat, vat=vat, gross=gross))
    return [row for row in rows if row.gross]

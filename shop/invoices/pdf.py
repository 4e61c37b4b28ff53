"""Invoice and credit note PDFs, drawn by WeasyPrint from templates/invoices/ on each request.

Nothing is stored: a document is rebuilt from its frozen rows (numbers, seller snapshot,
the order's own snapshots), so the same document always prints the same.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string

from .models import CreditNote, Invoice
from .services import credit_note_summary


def invoice_pdf(invoice: Invoice) -> bytes:
    order = invoice.order
    items = list(order.items.all())
    context = {
        "document": invoice,
        "title": "Invoice",
        "order": order,
        "items": items,
        "vat_summary": order.vat_summary(items),
    }
    return _render(context)


def credit_note_pdf(note: CreditNote) -> bytes:
    order = note.invoice.order
    summary = credit_note_summary(note)
    context = {
        "document": note,
        "title": "Credit note",
        "order": order,
        "invoice": note.invoice,
        "refund": note.refund,
        "vat_summary": summary,
        "net": sum(row.net for row in summary),
        "vat": sum(row.vat for row in summary),
    }
    return _render(context)


def _render(context: dict) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is drawn

    return HTML(string=render_to_string("invoices/document.html", context)).write_pdf()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

"""The customer's invoice and credit notes, behind the same check as the order page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from shop.orders.access import get_viewable_order

from .models import CreditNote
from .pdf import credit_note_pdf, invoice_pdf, pdf_response
from .services import invoice_for, issue_missing_credit_notes


def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    order = get_viewable_order(request, number, request.GET.get("key"))
    invoice = invoice_for(order)
    if invoice is None:
        raise Http404("This order has no invoice yet: it is issued once the order is paid.")
    return pdf_response(invoice_pdf(invoice), f"invoice-{invoice.number}.pdf")


def order_credit_note(request: HttpRequest, number: str, credit_note: str) -> HttpResponse:
    order = get_viewable_order(request, number, request.GET.get("key"))
    issue_missing_credit_notes(order)
    note = get_object_or_404(CreditNote, number=credit_note, invoice__order=order)
    return pdf_response(credit_note_pdf(note), f"credit-note-{note.number}.pdf")

"""Invoices in the admin: a panel on the order screen and the PDF downloads behind it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path
from wagtail import hooks

from shop.orders.models import Order

from .models import CreditNote, Invoice
from .pdf import credit_note_pdf, invoice_pdf, pdf_response
from .services import invoice_for, needs_invoice

VIEW_PERMISSION = "invoices.view_invoice"


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def admin_invoice(request: HttpRequest, order_id: int) -> HttpResponse:
    _check(request)
    invoice = invoice_for(get_object_or_404(Order, pk=order_id))
    if invoice is None:
        raise Http404("This order has no invoice: it was never paid.")
    return pdf_response(invoice_pdf(invoice), f"invoice-{invoice.number}.pdf")


def admin_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    note = get_object_or_404(CreditNote.objects.select_related("invoice__order", "refund"), pk=pk)
    return pdf_response(credit_note_pdf(note), f"credit-note-{note.number}.pdf")


@hooks.register("register_admin_urls")
def invoices_admin_urls():
    return [
        path("invoices/order/<int:order_id>/", admin_invoice, name="invoices_admin_invoice"),
        path("invoices/credit-notes/<int:pk>/", admin_credit_note, name="invoices_admin_credit_note"),
    ]


@hooks.register("shop_order_detail_panels")
def order_documents_panel(request, order):
    """Two queries whatever the number of credit notes; nothing is issued by looking (the downloads do)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        return ""
    invoice = Invoice.objects.filter(order=order).prefetch_related("credit_notes").first()
    context = {
        "order": order,
        "invoice": invoice,
        "credit_notes": list(invoice.credit_notes.all()) if invoice else [],
        "can_issue": invoice is None and needs_invoice(order),
    }
    return render_to_string("invoices/admin/order_panel.html", context)

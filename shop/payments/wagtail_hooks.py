"""Payments in the Wagtail admin: a panel on the order screen and the refund action behind it."""

from django.template.loader import render_to_string
from django.urls import path, reverse
from wagtail import hooks

from shop.core.admin_menu import ORDER_DETAIL_PANELS_HOOK

from . import admin_views
from .forms import RefundForm
from .models import Payment
from .viewsets import PaymentLogViewSet


@hooks.register("register_admin_viewset")
def payment_events_viewset():
    return PaymentLogViewSet()


@hooks.register("register_admin_urls")
def payments_admin_urls():
    return [path("payments/<int:payment_id>/refund/", admin_views.refund, name="payments_admin_refund")]


def _row(payment: Payment, can_refund: bool) -> dict:
    """One attempt; its refundable amount comes from the prefetched refunds (no query per row)."""
    refundable = payment.refundable_amount
    form = None
    if can_refund and refundable > 0:
        form = RefundForm(initial={"amount": refundable}, prefix=f"refund-{payment.pk}")
    return {
        "payment": payment,
        "refundable": refundable,
        "form": form,
        "action": reverse("payments_admin_refund", kwargs={"payment_id": payment.pk}),
    }


@hooks.register(ORDER_DETAIL_PANELS_HOOK)
def order_payments_panel(request, order):
    """The order's payments and refunds; a refund form for staff allowed to refund."""
    payments = Payment.objects.filter(order=order).prefetch_related("refunds__requested_by").order_by("pk")
    can_refund = request.user.has_perm("payments.add_refund")
    return render_to_string(
        "payments/admin/order_panel.html",
        {
            "order": order,
            "rows": [_row(payment, can_refund) for payment in payments],
            "next": request.get_full_path(),
            "can_cancel": order.status == order.Status.PAID,
        },
        request=request,
    )

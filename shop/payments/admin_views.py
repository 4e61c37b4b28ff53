"""The admin's refund action: parse the form, call refunds.refund_payment, say what happened."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from shop.accounts.models import User
from shop.core.money import format_money
from shop.core.redirects import safe_next

from . import refunds
from .forms import RefundForm
from .models import Payment


@require_POST
def refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    staff = request.user
    if not isinstance(staff, User) or not staff.has_perm("payments.add_refund"):
        raise PermissionDenied
    payment = get_object_or_404(Payment.objects.select_related("order"), pk=payment_id)
    next_url = safe_next(request, request.POST.get("next", "")) or "/admin/"
    form = RefundForm(request.POST, prefix=f"refund-{payment.pk}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return HttpResponseRedirect(next_url)
    try:
        made = refunds.refund_payment(
            payment,
            form.cleaned_data["amount"],
            form.cleaned_data["reason"],
            staff,
            cancel=form.cleaned_data["cancel_order"],
        )
    except refunds.RefundNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        amount = format_money(made.amount, payment.currency)
        if made.status == made.Status.SUCCEEDED:
            messages.success(request, f"Refunded {amount} of order {payment.order.number}.")
        else:
            messages.warning(request, f"Refund of {amount} is {made.get_status_display().lower()}.")
    return HttpResponseRedirect(next_url)

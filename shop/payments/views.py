"""Payment pages: the test provider's Pay/Fail page, the return page, and Stripe's webhook."""

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shop.core.ratelimit import rate_limited

from . import services
from .models import Payment
from .providers import ProviderUnavailable
from .providers.stripe_events import handle_stripe_event
from .providers.testing import DISABLED_MESSAGE, test_payments_allowed

logger = logging.getLogger(__name__)

# Stripe's own default: an older signed body is treated as a replay attempt.
WEBHOOK_TOLERANCE_SECONDS = 300


@require_http_methods(["GET", "POST"])
@rate_limited("test_payment", methods=("GET", "POST"))
def test_payment_page(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(
        Payment.objects.select_related("order"), token=token, provider=Payment.Provider.TEST
    )
    order = payment.order
    if not test_payments_allowed():
        return render(
            request, "payments/test_payment.html", {"order": order, "disabled": DISABLED_MESSAGE}, status=403
        )
    if payment.status != Payment.Status.PENDING or order.status != order.Status.PENDING_PAYMENT:
        return HttpResponseRedirect(order.get_absolute_url())
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "fail"):
            return render(
                request,
                "payments/test_payment.html",
                {"order": order, "payment": payment, "error": "Choose Pay or Fail."},
                status=400,
            )
        try:
            services.settle_test_payment(payment, succeed=action == "pay")
        except ProviderUnavailable as exc:
            messages.error(request, str(exc))
        except services.PaymentMismatch:
            messages.error(request, "The order changed since this payment started; please pay again.")
        else:
            if action == "fail":
                messages.error(request, "The payment failed. Your order is saved; you can try again.")
        return HttpResponseRedirect(order.get_absolute_url())
    return render(request, "payments/test_payment.html", {"order": order, "payment": payment})


def payment_return(request: HttpRequest, token: str) -> HttpResponse:
    """Where Stripe sends the shopper back: wait here until the webhook has confirmed the payment."""
    payment = get_object_or_404(Payment.objects.select_related("order"), token=token)
    order = payment.order
    if order.status != order.Status.PENDING_PAYMENT or payment.status == Payment.Status.FAILED:
        return HttpResponseRedirect(order.get_absolute_url())
    return render(request, "payments/processing.html", {"order": order, "payment": payment})


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verified with STRIPE_WEBHOOK_SECRET before anything is read; a bad signature changes nothing."""
    payload = request.body
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            request.headers.get("Stripe-Signature"),
            settings.STRIPE_WEBHOOK_SECRET,
            WEBHOOK_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        return HttpResponseBadRequest("Invalid signature or payload.")
    if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
        return HttpResponseBadRequest("Not a Stripe event.")
    log = handle_stripe_event(event)
    return HttpResponse("duplicate" if log is None else log.outcome, content_type="text/plain")

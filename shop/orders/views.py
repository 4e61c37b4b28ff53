import logging
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shop.accounts.models import User
from shop.accounts.services import default_address
from shop.cart import services as cart_services
from shop.cart.models import Cart
from shop.cart.session import current_cart, remember_cart_count
from shop.core.ratelimit import rate_limited

from . import metrics, services
from .access import get_viewable_order
from .forms import CheckoutForm
from .models import Order
from .payment import PaymentUnavailable, start_payment

logger = logging.getLogger(__name__)


def _initial(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    initial = {"email": request.user.email, "full_name": request.user.get_full_name()}
    address = default_address(request.user)
    if address is not None:
        initial.update(
            full_name=address.full_name,
            line1=address.line1,
            city=address.city,
            postal_code=address.postal_code,
            country=address.country,
        )
    if initial["full_name"] == request.user.email:
        initial["full_name"] = ""
    return initial


def _pay(request: HttpRequest, order: Order) -> tuple[HttpResponse, str]:
    """Hand the order to the payment step; when that fails the order waits on its own page.
    Also says how it went, as a checkout outcome (shop/orders/metrics.py)."""
    try:
        url = start_payment(order, site_url=request.build_absolute_uri("/"))
    except PaymentUnavailable as error:
        messages.error(request, error.message)
        return redirect(order.get_absolute_url()), metrics.PAYMENT_UNAVAILABLE
    return HttpResponseRedirect(url, status=303), metrics.PLACED


def _place_and_pay(request: HttpRequest, cart: Cart, form: CheckoutForm) -> HttpResponse:
    outcome = metrics.ERROR  # unless a line below says otherwise, the request ends in a 500
    try:
        try:
            order = services.place_order(cart, form.details(), user=request.user)
        except services.CheckoutError as error:
            outcome = metrics.REJECTED
            messages.error(request, str(error))
            return redirect("cart:detail")
        remember_cart_count(request, 0)
        response, outcome = _pay(request, order)
        return response
    finally:
        metrics.count_checkout(outcome)


@rate_limited("checkout")
def checkout(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    summary = cart_services.summarize(cart)
    if cart is None or summary.is_empty:
        messages.info(request, "Your cart is empty. Add something before checking out.")
        return redirect("cart:detail")
    if not summary.can_check_out:
        messages.error(request, "Some items in your cart cannot be ordered as they are. Please adjust them.")
        return redirect("cart:detail")
    form = CheckoutForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        return _place_and_pay(request, cart, form)
    remember_cart_count(request, summary.count)
    return render(request, "orders/checkout.html", {"form": form, "summary": summary})


def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    key = request.GET.get("key")
    order = get_viewable_order(request, number, key)
    items = list(order.items.all())
    context = {
        "order": order,
        "items": items,
        "vat_summary": order.vat_summary(items),
        "events": order.events.select_related("actor"),
        "key": key or "",
    }
    response = render(request, "orders/order_detail.html", context)
    # The key is in the URL: never sent to other sites. Not "no-referrer": browsers then send
    # `Origin: null` with the Pay now POST, which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@rate_limited("checkout")
def pay(request: HttpRequest, number: str) -> HttpResponse:
    """The order page's Pay now: start the payment again while the order waits for it."""
    order = get_viewable_order(request, number, request.POST.get("key"))
    if order.status != Order.Status.PENDING_PAYMENT:
        messages.info(
            request, f"This order is {order.get_status_display().lower()}; there is nothing to pay."
        )
        return redirect(order.get_absolute_url())
    return _pay(request, order)[0]


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """A member's orders: those placed while logged in (guest orders stay behind their links)."""
    member = cast(User, request.user)  # login_required
    orders = Order.objects.filter(user=member).order_by("-created_at")
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})

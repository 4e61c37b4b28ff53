from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shop.catalog.images import attach_main_pictures
from shop.core.money import format_money
from shop.core.ratelimit import rate_limited
from shop.core.redirects import redirect_to_next
from shop.core.shell import render_personal
from shop.discounts.services import DiscountError

from . import services
from .forms import parse_add
from .services import CartError, describe, parse_quantity
from .session import add_to_cart, cart_count, current_cart, current_cart_and_lines, remember_cart_count


def _back(request: HttpRequest) -> HttpResponse:
    """To the form's `next` (or the referring page) on this site, else to the cart."""
    return redirect_to_next(
        request, (request.POST.get("next", ""), request.headers.get("referer", "")), "cart:detail"
    )


def detail(request: HttpRequest) -> HttpResponse:
    summary = services.summarize(*current_cart_and_lines(request))
    attach_main_pictures([line.product for line in summary.lines], "thumb", request)
    remember_cart_count(request, summary.count)
    context = {"summary": summary, "max_quantity": services.max_quantity()}
    return render_personal(request, "cart/cart.html", context)


@require_GET
@never_cache
def visitor(request: HttpRequest) -> JsonResponse:
    """What a cached page's script needs for this visitor (shop.js): never cached anywhere."""
    return JsonResponse(
        {
            "csrf_token": get_token(request),
            "cart_count": cart_count(request),
            "authenticated": request.user.is_authenticated,
        }
    )


@require_POST
@rate_limited("cart")
def add(request: HttpRequest) -> HttpResponse:
    if not any(request.POST.get(name) for name in ("variant", "product")):
        return HttpResponseBadRequest("Say which product to add: variant, or product with size and colour.")
    new_session = request.session.session_key is None
    try:
        variant, quantity = parse_add(request.POST)
        services.check_available(variant, quantity)  # before any cart: bad input makes no empty cart
        add_to_cart(request, variant, quantity)
    except CartError as error:
        if new_session and request.session.session_key is not None:
            request.session.flush()  # its row went with the rolled-back transaction: no cookie for it
        messages.error(request, str(error))
        return _back(request)
    messages.success(request, f"Added {quantity} x {describe(variant)} to your cart.")
    return _back(request)


@require_POST
@rate_limited("cart")
def update(request: HttpRequest) -> HttpResponse:
    if not request.POST.get("item"):
        return HttpResponseBadRequest("Say which cart line to change.")
    cart = current_cart(request)
    try:
        if cart is None:
            raise CartError("Your cart is empty.")
        item = services.update_item(cart, request.POST["item"], parse_quantity(request.POST.get("quantity")))
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{describe(item.variant)}: quantity is now {item.quantity}.")
    return redirect("cart:detail")


@require_POST
@rate_limited("cart")
def remove(request: HttpRequest) -> HttpResponse:
    if not request.POST.get("item"):
        return HttpResponseBadRequest("Say which cart line to remove.")
    cart = current_cart(request)
    try:
        if cart is None:
            raise CartError("Your cart is empty.")
        services.remove_item(cart, request.POST["item"])
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Removed from your cart.")
    return redirect("cart:detail")


@require_POST
@rate_limited("cart")  # also slows down guessing codes
def apply_discount(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    try:
        if cart is None:
            raise DiscountError("Add something to your cart first.")
        applied = services.apply_discount_code(cart, request.POST.get("code", ""))
    except (DiscountError, CartError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Code {applied.code.code} applied: {format_money(applied.amount)} off.")
    return redirect("cart:detail")


@require_POST
@rate_limited("cart")
def remove_discount(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    if cart is not None:
        try:
            services.remove_discount_code(cart)
        except CartError as error:
            messages.error(request, str(error))
            return redirect("cart:detail")
    messages.success(request, "Discount code removed.")
    return redirect("cart:detail")

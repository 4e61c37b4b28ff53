"""The customer's return form, behind the same check as the order page (owner or guest link)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shop.orders.access import get_viewable_order
from shop.orders.models import Order

from . import services
from .models import SIZE_REASONS, ReturnReason


def _rows(order: Order) -> list[dict]:
    left = services.returnable_quantities(order)
    return [
        {"item": item, "left": left.get(item.pk, 0), "sizes": services.exchange_choices(item)}
        for item in order.items.select_related("product")
        if left.get(item.pk, 0) > 0
    ]


def _parse(post, rows: list[dict]) -> list[services.WantedReturn]:
    """Whole numbers within what is left, a reason per chosen line, a size only for size reasons."""
    wanted = []
    for row in rows:
        item = row["item"]
        raw = (post.get(f"quantity-{item.pk}") or "0").strip()
        if not raw.isdigit() or int(raw) > row["left"]:
            raise services.ReturnNotAllowed(
                f"{item.product_name}: enter a number of items from 0 to {row['left']}."
            )
        quantity = int(raw)
        if not quantity:
            continue
        reason = post.get(f"reason-{item.pk}", "")
        if reason not in ReturnReason.values:
            raise services.ReturnNotAllowed(f"{item.product_name}: choose a reason.")
        size = (post.get(f"size-{item.pk}") or "").strip()
        if size and not size.isdigit():
            raise services.ReturnNotAllowed(f"{item.product_name}: choose a size from the list.")
        wanted_variant = int(size) if size and reason in SIZE_REASONS else None
        wanted.append(services.WantedReturn(item.pk, quantity, reason, wanted_variant))
    return wanted


def request_return(request: HttpRequest, number: str) -> HttpResponse:
    key = request.POST.get("key") or request.GET.get("key") or ""
    order = get_viewable_order(request, number, key)
    back = redirect(order.get_absolute_url() if key else f"/orders/{order.number}/")
    if not services.returns_open(order):
        messages.error(request, "Returns for this order are closed.")
        return back
    rows = _rows(order)
    status = 200
    if request.method == "POST":
        try:
            services.request_return(order, _parse(request.POST, rows), actor=request.user)
        except services.ReturnNotAllowed as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(
                request, "Return requested. We have emailed you; we will tell you what to do next."
            )
            return back
    context = {"order": order, "rows": rows, "key": key, "reasons": ReturnReason.choices}
    response = render(request, "returns/request.html", context, status=status)
    # The key is in the URL: never sent to other sites. Not "no-referrer": browsers then send
    # `Origin: null` with the form's POST, which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response

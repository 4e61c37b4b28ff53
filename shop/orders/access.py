"""Who may see an order: its member owner, or whoever holds its secret link. Anyone else gets 404."""

from django.http import Http404, HttpRequest
from django.utils.crypto import constant_time_compare

from .models import Order


def can_view(request: HttpRequest, order: Order, key: str | None) -> bool:
    if order.user_id is not None and request.user.is_authenticated and order.user_id == request.user.pk:
        return True
    return bool(key) and constant_time_compare(str(key), order.access_key)


def get_viewable_order(request: HttpRequest, number: str, key: str | None) -> Order:
    """The order, or 404 alike for a wrong number, a wrong key and someone else's order."""
    order = Order.objects.filter(number=str(number).upper()[:16]).first()
    if order is None or not can_view(request, order, key):
        raise Http404("No such order.")
    return order
